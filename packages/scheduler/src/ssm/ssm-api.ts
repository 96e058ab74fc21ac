/**
 * The SSM Parameter Store API (AWS JSON 1.1, `X-Amz-Target: AmazonSSM.<Action>`, SigV4 service
 * `ssm`) on the scheduler's endpoint: PutParameter, GetParameter(s), GetParametersByPath,
 * DeleteParameter(s), DescribeParameters, GetParameterHistory, LabelParameterVersion,
 * UnlabelParameterVersion; plus berth's `BerthAdminV1.RotateSecretsKey`. Served by any replica
 * (the store is CAS on KV). Answers carry a value only when asked for it; a SecureString's value
 * without `WithDecryption` is its sealed form. Must never put a value into an error.
 */
import type { ArnScope } from '../wire/arn.js';
import { type Body, optBool, optInt, optString } from '../wire/input.js';
import { seal } from './cipher.js';
import { matchesFilters, pathMatches, readFilters } from './parameter-filters.js';
import { checkParameterName, parameterArn, parseSelected, SsmLayout } from './parameter-names.js';
import {
  labelVersion,
  latest,
  PARAMETER_TYPES,
  putVersion,
  selectVersion,
  unlabelVersion,
  type ParameterRecord,
  type ParameterType,
  type VersionRecord,
} from './parameter-record.js';
import type { ParameterStore } from './parameter-store.js';
import { invalidNextToken, parameterNotFound, ssmError, validation } from './ssm-errors.js';

/** A handler served without a leader: `(body, access key id of the signer)`. */
export type DirectHandler = (body: Body, caller: string | undefined) => Promise<unknown>;

const TIERS = ['Standard', 'Advanced', 'Intelligent-Tiering'] as const;
const DATA_TYPES = ['text', 'aws:ec2:image', 'aws:ssm:integration'];

const secs = (ms: number): number => ms / 1000;

function token(after: string): string {
  return Buffer.from(JSON.stringify({ after }), 'utf8').toString('base64url');
}

function afterToken(body: Body): string | undefined {
  const t = optString(body, 'NextToken');
  if (t === undefined || t === '') return undefined;
  try {
    const v = JSON.parse(Buffer.from(t, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof v.after === 'string') return v.after;
  } catch {
    // fall through
  }
  throw invalidNextToken();
}

function page<T>(
  items: T[],
  keyOf: (t: T) => string,
  body: Body,
  max: number,
): {
  items: T[];
  next: string | undefined;
} {
  const after = afterToken(body);
  const start = after === undefined ? 0 : items.findIndex((t) => keyOf(t) > after);
  const from = start < 0 ? items.length : start;
  const slice = items.slice(from, from + max);
  const more = from + max < items.length;
  return {
    items: slice,
    next: more && slice.length ? token(keyOf(slice[slice.length - 1] as T)) : undefined,
  };
}

function reqName(body: Body, field = 'Name'): string {
  const v = optString(body, field);
  if (v === undefined || v === '') {
    throw validation(
      `1 validation error detected: Value null at '${field.toLowerCase()}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return v;
}

function names(body: Body, field: string): string[] {
  const v = body[field];
  if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'string')) {
    throw validation(`${field} must be a list of 1 to 10 names.`);
  }
  if (v.length > 10) {
    throw validation(
      `1 validation error detected: Value at '${field.toLowerCase()}' failed to satisfy constraint: Member must have length less than or equal to 10`,
    );
  }
  return v as string[];
}

function labelsOf(body: Body): string[] {
  const v = body['Labels'];
  if (
    !Array.isArray(v) ||
    v.length === 0 ||
    v.length > 10 ||
    v.some((x) => typeof x !== 'string')
  ) {
    throw validation('Labels must be a list of 1 to 10 labels.');
  }
  return v as string[];
}

/** The SSM API over one store. */
export class SsmApi {
  readonly #store: ParameterStore;
  readonly #scope: ArnScope;
  readonly #now: () => number;

  constructor(store: ParameterStore, scope: ArnScope, now: () => number = Date.now) {
    this.#store = store;
    this.#scope = scope;
    this.#now = now;
  }

  /** Action name → handler. */
  get handlers(): Readonly<Record<string, DirectHandler>> {
    return {
      PutParameter: (b, c) => this.put(b, c),
      GetParameter: (b) => this.getOne(b),
      GetParameters: (b) => this.getMany(b),
      GetParametersByPath: (b) => this.byPath(b),
      DeleteParameter: (b) => this.deleteOne(b),
      DeleteParameters: (b) => this.deleteMany(b),
      DescribeParameters: (b) => this.describe(b),
      GetParameterHistory: (b) => this.history(b),
      LabelParameterVersion: (b) => this.label(b),
      UnlabelParameterVersion: (b) => this.unlabel(b),
    };
  }

  async #value(p: ParameterRecord, v: VersionRecord, decrypt: boolean): Promise<string> {
    if (v.type === 'SecureString' && !decrypt)
      return Buffer.from(v.value, 'utf8').toString('base64');
    return this.#store.reveal(p, v.version);
  }

  async #render(p: ParameterRecord, v: VersionRecord, decrypt: boolean, selector?: string) {
    return {
      Name: p.name,
      Type: v.type,
      Value: await this.#value(p, v, decrypt),
      Version: v.version,
      ...(selector ? { Selector: selector } : {}),
      LastModifiedDate: secs(v.modified),
      ARN: parameterArn(this.#scope, p.name),
      DataType: v.dataType,
    };
  }

  #meta(p: ParameterRecord, v: VersionRecord): Record<string, unknown> {
    return {
      Name: p.name,
      ...(p.name !== undefined ? { ARN: parameterArn(this.#scope, p.name) } : {}),
      Type: v.type,
      ...(v.keyId ? { KeyId: v.keyId } : {}),
      LastModifiedDate: secs(v.modified),
      LastModifiedUser: v.user,
      ...(v.description ? { Description: v.description } : {}),
      ...(v.allowedPattern ? { AllowedPattern: v.allowedPattern } : {}),
      Version: v.version,
      Tier: v.tier,
      Policies: [],
      DataType: v.dataType,
    };
  }

  /** The decrypted value a selector names, for secrets resolution; undefined when missing. */
  async resolve(nameOrArn: string): Promise<{ value: string; type: ParameterType } | undefined> {
    let sel;
    try {
      sel = parseSelected(nameOrArn);
    } catch {
      return undefined;
    }
    const found = await this.#store.get(sel.name);
    if (!found) return undefined;
    let v: VersionRecord;
    try {
      v = selectVersion(found.record, sel);
    } catch {
      return undefined;
    }
    return { value: await this.#store.reveal(found.record, v.version), type: v.type };
  }

  async put(body: Body, caller: string | undefined): Promise<unknown> {
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
    const keyId = optString(body, 'KeyId');
    const now = this.#now();
    const user = `arn:aws:iam::${this.#scope.accountId}:user/${caller ?? 'berth'}`;
    const written = await this.#store.update(name, (prev, key) =>
      putVersion(prev, {
        name,
        sealed: (version) => seal(key, name, version, value),
        type: rawType as ParameterType | undefined,
        keyId,
        description,
        allowedPattern,
        tier,
        dataType,
        overwrite,
        tags,
        now,
        user,
      }),
    );
    const v = latest(written as ParameterRecord);
    return { Version: v.version, Tier: v.tier };
  }

  async getOne(body: Body): Promise<unknown> {
    const sel = parseSelected(reqName(body));
    const decrypt = optBool(body, 'WithDecryption') ?? false;
    const found = await this.#store.get(sel.name);
    if (!found) throw parameterNotFound();
    const v = selectVersion(found.record, sel);
    return { Parameter: await this.#render(found.record, v, decrypt, sel.selector) };
  }

  async getMany(body: Body): Promise<unknown> {
    const list = names(body, 'Names');
    const decrypt = optBool(body, 'WithDecryption') ?? false;
    const Parameters: unknown[] = [];
    const InvalidParameters: string[] = [];
    for (const n of list) {
      try {
        const sel = parseSelected(n);
        const found = await this.#store.get(sel.name);
        if (!found) {
          InvalidParameters.push(n);
          continue;
        }
        Parameters.push(
          await this.#render(found.record, selectVersion(found.record, sel), decrypt, sel.selector),
        );
      } catch (e) {
        const type = (e as { type?: string }).type;
        if (type === 'ParameterVersionNotFound' || type === 'ValidationException')
          InvalidParameters.push(n);
        else throw e;
      }
    }
    return { Parameters, InvalidParameters };
  }

  async byPath(body: Body): Promise<unknown> {
    const path = reqName(body, 'Path');
    if (!path.startsWith('/') || (path !== '/' && !/^(\/[a-zA-Z0-9_.-]+)+\/?$/.test(path))) {
      throw validation(
        'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/".',
      );
    }
    const recursive = optBool(body, 'Recursive') ?? false;
    const decrypt = optBool(body, 'WithDecryption') ?? false;
    const max = optInt(body, 'MaxResults', 1, 10) ?? 10;
    const filters = readFilters(body, ['Type', 'KeyId', 'Label', 'tag']);
    const layout: SsmLayout = this.#store.layout;
    const all = (await this.#store.list(layout.pathPrefix(path)))
      .map((s) => s.record)
      .filter((p) => pathMatches(p.name, path, recursive) && matchesFilters(p, filters));
    const { items, next } = page(all, (p) => p.name, body, max);
    const Parameters = [];
    for (const p of items) Parameters.push(await this.#render(p, latest(p), decrypt));
    return { Parameters, ...(next ? { NextToken: next } : {}) };
  }

  async deleteOne(body: Body): Promise<unknown> {
    const name = reqName(body);
    const gone = await this.#store.update(name, (prev) => (prev ? null : undefined));
    if (gone !== null) throw parameterNotFound();
    return {};
  }

  async deleteMany(body: Body): Promise<unknown> {
    const DeletedParameters: string[] = [];
    const InvalidParameters: string[] = [];
    for (const n of names(body, 'Names')) {
      const gone = await this.#store.update(n, (prev) => (prev ? null : undefined));
      (gone === null ? DeletedParameters : InvalidParameters).push(n);
    }
    return { DeletedParameters, InvalidParameters };
  }

  async describe(body: Body): Promise<unknown> {
    const max = optInt(body, 'MaxResults', 1, 50) ?? 50;
    const filters = readFilters(body, [
      'Name',
      'Type',
      'KeyId',
      'Path',
      'Tier',
      'DataType',
      'Label',
      'tag',
    ]);
    const all = (await this.#store.list())
      .map((s) => s.record)
      .filter((p) => matchesFilters(p, filters));
    const { items, next } = page(all, (p) => p.name, body, max);
    return {
      Parameters: items.map((p) => this.#meta(p, latest(p))),
      ...(next ? { NextToken: next } : {}),
    };
  }

  async history(body: Body): Promise<unknown> {
    const name = reqName(body);
    const decrypt = optBool(body, 'WithDecryption') ?? false;
    const max = optInt(body, 'MaxResults', 1, 50) ?? 50;
    const found = await this.#store.get(parseSelected(name).name);
    if (!found) throw parameterNotFound();
    const p = found.record;
    const key = (v: VersionRecord): string => String(v.version).padStart(8, '0');
    const { items, next } = page([...p.versions], key, body, max);
    const Parameters = [];
    for (const v of items) {
      Parameters.push({
        ...this.#meta(p, v),
        Value: await this.#value(p, v, decrypt),
        Labels: [...v.labels],
      });
    }
    return { Parameters, ...(next ? { NextToken: next } : {}) };
  }

  async label(body: Body): Promise<unknown> {
    const name = parseSelected(reqName(body)).name;
    const version = optInt(body, 'ParameterVersion', 1, Number.MAX_SAFE_INTEGER);
    const labels = labelsOf(body);
    let out: { invalid: string[]; version: number } = { invalid: [], version: 0 };
    const written = await this.#store.update(name, (prev) => {
      if (!prev) throw parameterNotFound();
      const r = labelVersion(prev, version, labels);
      out = r;
      return r.record;
    });
    if (!written) throw parameterNotFound();
    return { InvalidLabels: out.invalid, ParameterVersion: out.version };
  }

  async unlabel(body: Body): Promise<unknown> {
    const name = parseSelected(reqName(body)).name;
    const version = optInt(body, 'ParameterVersion', 1, Number.MAX_SAFE_INTEGER);
    if (version === undefined) {
      throw validation(
        "1 validation error detected: Value null at 'parameterVersion' failed to satisfy constraint: Member must not be null",
      );
    }
    const labels = labelsOf(body);
    let out: { removed: string[]; invalid: string[] } = { removed: [], invalid: [] };
    await this.#store.update(name, (prev) => {
      if (!prev) throw parameterNotFound();
      const r = unlabelVersion(prev, version, labels);
      out = r;
      return r.removed.length ? r.record : undefined;
    });
    return { RemovedLabels: out.removed, InvalidLabels: out.invalid };
  }
}

export { checkParameterName };
