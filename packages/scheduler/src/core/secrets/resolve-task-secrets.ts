/**
 * Resolution of a task's `secrets` and `repositoryCredentials` at task start, with ECS's words
 * when it fails (`ResourceInitializationError: unable to pull secrets or registry auth: ...`).
 * Takes a lookup of decrypted values; returns what the agent puts in each container's
 * environment and uses to pull. Must never put a value into a reason or an error.
 */
import { asmCandidates, parseValueFrom, type SecretRef } from './value-from.js';

/** Looks up the decrypted value a parameter reference names (undefined when missing). */
export type SecretLookup = (ref: string) => Promise<string | undefined>;

/** What one container receives. */
export interface ContainerSecrets {
  readonly name: string;
  readonly environment: { name: string; value: string }[];
  readonly repositoryCredentials?: { username: string; password: string };
}

export type Resolution =
  | { readonly ok: true; readonly containers: ContainerSecrets[] }
  | { readonly ok: false; readonly reason: string };

const PREFIX =
  'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: ';

class Failure extends Error {}

async function asmValue(
  ref: Extract<SecretRef, { kind: 'asm' }>,
  lookup: SecretLookup,
): Promise<string> {
  const notFound = (): Failure =>
    new Failure(
      `unable to retrieve secret from asm: service call has been retried 1 time(s): failed to fetch secret ${ref.arn} from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret.`,
    );
  if (ref.versionStage !== undefined && ref.versionStage !== 'AWSCURRENT') throw notFound();
  if (ref.versionId !== undefined && !/^\d+$/.test(ref.versionId)) throw notFound();
  let value: string | undefined;
  for (const name of asmCandidates(ref.secretName)) {
    value = await lookup(ref.versionId ? `${name}:${ref.versionId}` : name);
    if (value !== undefined) break;
  }
  if (value === undefined) throw notFound();
  if (ref.jsonKey === undefined) return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    // JSON.parse's own message quotes the input: never pass it on.
    throw new Failure(
      `unable to retrieve secret from asm: the secret ${ref.arn} is not a JSON object, so json key ${ref.jsonKey} cannot be read`,
    );
  }
  const field =
    parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)[ref.jsonKey]
      : undefined;
  if (field === undefined) {
    throw new Failure(
      `unable to retrieve secret from asm: retrieved secret from Secrets Manager did not contain json key ${ref.jsonKey}`,
    );
  }
  return typeof field === 'string' ? field : JSON.stringify(field);
}

/** Resolves every container's secrets and registry credentials of a task definition. */
export async function resolveTaskSecrets(
  containerDefinitions: readonly Record<string, unknown>[],
  lookup: SecretLookup,
): Promise<Resolution> {
  const missingSsm: string[] = [];
  const out: ContainerSecrets[] = [];
  try {
    for (const c of containerDefinitions) {
      const environment: { name: string; value: string }[] = [];
      const secrets = Array.isArray(c['secrets'])
        ? (c['secrets'] as Record<string, unknown>[])
        : [];
      for (const s of secrets) {
        const name = String(s['name'] ?? '');
        const valueFrom = String(s['valueFrom'] ?? '');
        const ref = parseValueFrom(valueFrom);
        if (!ref) {
          throw new Failure(`invalid secret reference for ${name}: ${valueFrom}`);
        }
        if (ref.kind === 'ssm') {
          const value = await lookup(ref.ref);
          if (value === undefined) missingSsm.push(valueFrom);
          else environment.push({ name, value });
        } else {
          environment.push({ name, value: await asmValue(ref, lookup) });
        }
      }
      const rc = c['repositoryCredentials'] as { credentialsParameter?: unknown } | undefined;
      let repositoryCredentials: ContainerSecrets['repositoryCredentials'];
      if (rc && typeof rc.credentialsParameter === 'string') {
        const param = rc.credentialsParameter;
        const ref = parseValueFrom(param);
        if (!ref) throw new Failure(`invalid registry credentials reference: ${param}`);
        const text = ref.kind === 'asm' ? await asmValue(ref, lookup) : await lookup(ref.ref);
        if (text === undefined) {
          throw new Failure(
            `unable to retrieve registry auth: service call has been retried 1 time(s): failed to fetch secret ${param}: ResourceNotFoundException: Secrets Manager can't find the specified secret.`,
          );
        }
        let creds: unknown;
        try {
          creds = JSON.parse(text);
        } catch {
          creds = undefined;
        }
        const o = creds as { username?: unknown; password?: unknown } | undefined;
        if (!o || typeof o.username !== 'string' || typeof o.password !== 'string') {
          throw new Failure(
            `unable to retrieve registry auth: the secret ${param} does not hold a JSON object with "username" and "password"`,
          );
        }
        repositoryCredentials = { username: o.username, password: o.password };
      }
      out.push({
        name: String(c['name'] ?? ''),
        environment,
        ...(repositoryCredentials ? { repositoryCredentials } : {}),
      });
    }
  } catch (e) {
    if (e instanceof Failure) return { ok: false, reason: `${PREFIX}${e.message}` };
    throw e;
  }
  if (missingSsm.length > 0) {
    return {
      ok: false,
      reason: `${PREFIX}unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: ${missingSsm.join(' ')}`,
    };
  }
  return { ok: true, containers: out };
}
