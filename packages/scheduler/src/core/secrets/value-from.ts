/**
 * What a container's `secrets[].valueFrom` or `repositoryCredentials.credentialsParameter`
 * names, as ECS reads it: an SSM parameter by name (`/prod/db/pass`, with an optional
 * `:version` / `:label`) or ARN, or a Secrets Manager–style ARN
 * (`arn:aws:secretsmanager:<region>:<account>:secret:<name>[-XXXXXX][:json-key[:version-stage
 * [:version-id]]]`). berth keeps Secrets Manager–style secrets as parameters named `<name>`
 * in its one store. Pure.
 */
import { isParameterName, nameOfParameterArn } from '../../ssm/parameter-names.js';

/** A parsed reference. */
export type SecretRef =
  | { readonly kind: 'ssm'; readonly ref: string }
  | {
      readonly kind: 'asm';
      readonly arn: string;
      readonly secretName: string;
      readonly jsonKey: string | undefined;
      readonly versionStage: string | undefined;
      readonly versionId: string | undefined;
    };

const ASM = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]*:\d*:secret:(.+)$/;

function ssmNameOk(text: string): boolean {
  const colon = text.indexOf(':');
  const name = colon < 0 ? text : text.slice(0, colon);
  const sel = colon < 0 ? undefined : text.slice(colon + 1);
  if (sel !== undefined && !/^(\d+|[a-zA-Z_.-][a-zA-Z0-9_.-]{0,99})$/.test(sel)) return false;
  return isParameterName(name);
}

/** Parses a reference; undefined when ECS would call it invalid. */
export function parseValueFrom(valueFrom: string): SecretRef | undefined {
  if (valueFrom.length === 0 || valueFrom.length > 2048) return undefined;
  const asm = ASM.exec(valueFrom);
  if (asm) {
    const [name, jsonKey, versionStage, versionId, ...rest] = (asm[1] as string).split(':');
    if (!name || rest.length > 0 || !/^[a-zA-Z0-9/_+=.@-]+$/.test(name)) return undefined;
    return {
      kind: 'asm',
      arn: valueFrom,
      secretName: name,
      jsonKey: jsonKey || undefined,
      versionStage: versionStage || undefined,
      versionId: versionId || undefined,
    };
  }
  if (valueFrom.startsWith('arn:')) {
    const m = /^(arn:aws[a-z-]*:ssm:[a-z0-9-]*:\d*:parameter\/[^:]+)(:.*)?$/.exec(valueFrom);
    const name = m ? nameOfParameterArn(m[1] as string) : undefined;
    if (!m || name === undefined) return undefined;
    return ssmNameOk(`${name}${m[2] ?? ''}`) ? { kind: 'ssm', ref: valueFrom } : undefined;
  }
  return ssmNameOk(valueFrom) ? { kind: 'ssm', ref: valueFrom } : undefined;
}

/**
 * The parameter names to try for a Secrets Manager secret name: the name itself, then without
 * the `-XXXXXX` suffix Secrets Manager adds to ARNs.
 */
export function asmCandidates(secretName: string): string[] {
  const out = [secretName];
  const m = /^(.+)-[A-Za-z0-9]{6}$/.exec(secretName);
  if (m) out.push(m[1] as string);
  return out;
}
