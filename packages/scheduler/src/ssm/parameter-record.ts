/**
 * A parameter as stored in KV: every kept version (at most 100, oldest dropped first, as SSM
 * does) with its sealed value, type, labels and metadata. Pure functions that make the next
 * record for PutParameter, LabelParameterVersion and UnlabelParameterVersion, and pick a
 * version by selector. Values are sealed by the caller: nothing here sees a plaintext.
 */
import { labelProblem, type Selected } from './parameter-names.js';
import { ssmError, validation, versionNotFound } from './ssm-errors.js';

export type ParameterType = 'String' | 'StringList' | 'SecureString';
export const PARAMETER_TYPES: readonly ParameterType[] = ['String', 'StringList', 'SecureString'];
export const MAX_VERSIONS = 100;
export const MAX_LABELS = 10;
export const DEFAULT_KEY_ID = 'alias/aws/ssm';

/** One version of a parameter. */
export interface VersionRecord {
  readonly version: number;
  /** Sealed (cipher.ts): every type is encrypted at rest. */
  readonly value: string;
  readonly type: ParameterType;
  /** KMS key id the client named (SecureString only); berth seals with its own key. */
  readonly keyId?: string | undefined;
  readonly description?: string | undefined;
  readonly allowedPattern?: string | undefined;
  readonly tier: 'Standard' | 'Advanced';
  readonly dataType: string;
  /** Epoch ms. */
  readonly modified: number;
  readonly user: string;
  readonly labels: readonly string[];
}

/** A parameter: its name and kept versions, oldest first. */
export interface ParameterRecord {
  readonly name: string;
  readonly versions: readonly VersionRecord[];
  readonly tags?: readonly { Key: string; Value: string }[] | undefined;
}

/** The newest version. */
export function latest(p: ParameterRecord): VersionRecord {
  return p.versions[p.versions.length - 1] as VersionRecord;
}

/** The version a selector names; throws ParameterVersionNotFound. */
export function selectVersion(p: ParameterRecord, s: Selected): VersionRecord {
  if (s.version !== undefined) {
    const v = p.versions.find((x) => x.version === s.version);
    if (!v) throw versionNotFound(p.name, String(s.version));
    return v;
  }
  if (s.label !== undefined) {
    const v = p.versions.find((x) => x.labels.includes(s.label as string));
    if (!v) throw versionNotFound(p.name, s.label);
    return v;
  }
  return latest(p);
}

/** What a PutParameter asks for, the value already sealed for `version`. */
export interface PutInput {
  readonly name: string;
  readonly sealed: (version: number) => string;
  readonly type: ParameterType | undefined;
  readonly keyId: string | undefined;
  readonly description: string | undefined;
  readonly allowedPattern: string | undefined;
  readonly tier: 'Standard' | 'Advanced';
  readonly dataType: string;
  readonly overwrite: boolean;
  readonly tags: readonly { Key: string; Value: string }[] | undefined;
  readonly now: number;
  readonly user: string;
}

/** The record after a PutParameter on `prev` (undefined: a new parameter). */
export function putVersion(prev: ParameterRecord | undefined, put: PutInput): ParameterRecord {
  if (prev && !put.overwrite) {
    throw ssmError(
      'ParameterAlreadyExists',
      'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
    );
  }
  const before = prev ? latest(prev) : undefined;
  const type = put.type ?? before?.type;
  if (!type) throw validation('A parameter type is required when you create a parameter.');
  const version = (before?.version ?? 0) + 1;
  let versions = [...(prev?.versions ?? [])];
  if (versions.length >= MAX_VERSIONS) {
    const oldest = versions[0] as VersionRecord;
    if (oldest.labels.length > 0) {
      throw ssmError(
        'ParameterMaxVersionLimitExceeded',
        `You attempted to create a new version of ${put.name} by calling the PutParameter API with the overwrite flag. Version ${oldest.version}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`,
      );
    }
    versions = versions.slice(versions.length - MAX_VERSIONS + 1);
  }
  versions.push({
    version,
    value: put.sealed(version),
    type,
    ...(type === 'SecureString' ? { keyId: put.keyId ?? before?.keyId ?? DEFAULT_KEY_ID } : {}),
    description: put.description ?? before?.description,
    allowedPattern: put.allowedPattern ?? before?.allowedPattern,
    tier: put.tier === 'Advanced' || before?.tier === 'Advanced' ? 'Advanced' : 'Standard',
    dataType: put.dataType,
    modified: put.now,
    user: put.user,
    labels: [],
  });
  return {
    name: put.name,
    versions,
    ...((prev?.tags ?? put.tags) ? { tags: prev?.tags ?? put.tags } : {}),
  };
}

/** LabelParameterVersion: moves each valid label to `version` (default latest). */
export function labelVersion(
  p: ParameterRecord,
  version: number | undefined,
  labels: readonly string[],
): { record: ParameterRecord; invalid: string[]; version: number } {
  const target = version === undefined ? latest(p) : selectVersion(p, { name: p.name, version });
  const invalid = labels.filter((l) => labelProblem(l) !== undefined);
  const valid = [...new Set(labels.filter((l) => labelProblem(l) === undefined))];
  const merged = [...new Set([...target.labels, ...valid])];
  if (merged.length > MAX_LABELS) {
    throw ssmError(
      'ParameterVersionLabelLimitExceeded',
      'A parameter version can have maximum 10 labels.Move one or more labels to another version and try again.',
    );
  }
  const versions = p.versions.map((v) =>
    v.version === target.version
      ? { ...v, labels: merged }
      : { ...v, labels: v.labels.filter((l) => !valid.includes(l)) },
  );
  return { record: { ...p, versions }, invalid, version: target.version };
}

/** UnlabelParameterVersion: removes labels from `version`. */
export function unlabelVersion(
  p: ParameterRecord,
  version: number,
  labels: readonly string[],
): { record: ParameterRecord; removed: string[]; invalid: string[] } {
  const target = selectVersion(p, { name: p.name, version });
  const removed = labels.filter((l) => target.labels.includes(l));
  const invalid = labels.filter((l) => !target.labels.includes(l));
  const versions = p.versions.map((v) =>
    v.version === target.version
      ? { ...v, labels: v.labels.filter((l) => !removed.includes(l)) }
      : v,
  );
  return { record: { ...p, versions }, removed, invalid };
}
