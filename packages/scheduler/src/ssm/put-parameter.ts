/**
 * PutParameter's request as SSM validates it: name rules, value length per tier, type, tier,
 * data type, description, allowed pattern (checked against the value), tags only on create,
 * no parameter policies. Pure; errors never contain the value.
 */
import { type Body, optBool, optString } from '../core/input.js';
import { checkParameterName } from './parameter-names.js';
import { PARAMETER_TYPES, type ParameterType } from './parameter-record.js';
import { ssmError, validation } from './ssm-errors.js';
import { reqName } from './ssm-input.js';

const TIERS = ['Standard', 'Advanced', 'Intelligent-Tiering'] as const;
const DATA_TYPES = ['text', 'aws:ec2:image', 'aws:ssm:integration'];

/** A validated PutParameter request. */
export interface PutParameterRequest {
  readonly name: string;
  readonly value: string;
  readonly type: ParameterType | undefined;
  readonly tier: 'Standard' | 'Advanced';
  readonly dataType: string;
  readonly description: string | undefined;
  readonly allowedPattern: string | undefined;
  readonly overwrite: boolean;
  readonly tags: { Key: string; Value: string }[] | undefined;
  readonly keyId: string | undefined;
}

/** Reads and checks a PutParameter body. */
export function readPutParameter(body: Body): PutParameterRequest {
  const name = reqName(body);
  checkParameterName(name);
  const value = body['Value'];
  if (typeof value !== 'string' || value.length === 0) {
    throw validation(
      "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  }
  const rawType = optString(body, 'Type');
  if (rawType !== undefined && !PARAMETER_TYPES.includes(rawType as ParameterType)) {
    throw validation(
      `1 validation error detected: Value '${rawType}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [SecureString, StringList, String]`,
    );
  }
  const tierIn = optString(body, 'Tier') ?? 'Standard';
  if (!(TIERS as readonly string[]).includes(tierIn)) {
    throw validation(
      `1 validation error detected: Value '${tierIn}' at 'tier' failed to satisfy constraint: Member must satisfy enum value set: [Standard, Advanced, Intelligent-Tiering]`,
    );
  }
  const limit = tierIn === 'Advanced' || tierIn === 'Intelligent-Tiering' ? 8192 : 4096;
  if (value.length > limit) {
    throw validation(
      limit === 4096 && tierIn === 'Standard'
        ? 'Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier.'
        : 'Advanced tier parameters support a maximum parameter value of 8192 characters.',
    );
  }
  const tier = tierIn === 'Advanced' || value.length > 4096 ? 'Advanced' : 'Standard';
  const dataType = optString(body, 'DataType') ?? 'text';
  if (!DATA_TYPES.includes(dataType)) {
    throw validation(
      `The following data type is not supported: ${dataType} (supported data types are: [text, aws:ssm:integration, aws:ec2:image])`,
    );
  }
  const description = optString(body, 'Description');
  if (description !== undefined && description.length > 1024) {
    throw validation('Description must be at most 1024 characters.');
  }
  const allowedPattern = optString(body, 'AllowedPattern');
  if (allowedPattern !== undefined) {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${allowedPattern})$`);
    } catch {
      throw validation(`AllowedPattern ${allowedPattern} is not a valid regular expression.`);
    }
    if (!re.test(value)) {
      throw ssmError(
        'ParameterPatternMismatchException',
        `Parameter value, cannot be validated against allowedPattern: ${allowedPattern}`,
      );
    }
  }
  const overwrite = optBool(body, 'Overwrite') ?? false;
  const tagsRaw = body['Tags'];
  if (tagsRaw !== undefined && overwrite) {
    throw validation(
      "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.",
    );
  }
  if (body['Policies'] !== undefined && body['Policies'] !== '') {
    throw ssmError('UnsupportedOperationException', 'berth does not support parameter policies.');
  }
  const tags = Array.isArray(tagsRaw)
    ? (tagsRaw as Body[]).map((t) => ({ Key: String(t['Key']), Value: String(t['Value'] ?? '') }))
    : undefined;
  return {
    name,
    value,
    type: rawType as ParameterType | undefined,
    tier,
    dataType,
    description,
    allowedPattern,
    overwrite,
    tags,
    keyId: optString(body, 'KeyId'),
  };
}
