/**
 * A task's secrets and private-registry credentials on the agent: fetched once from the
 * scheduler (`BerthAgentV1.GetTaskSecrets`, over the agent's signed channel) right before the
 * pull, used for the pull's registry auth and the containers' environment, then forgotten once
 * the containers exist. A failure is ECS's `ResourceInitializationError`. Values live only in
 * this object's memory and in the Docker create call: never in an event, a log line, a report
 * or introspection.
 */

import { backoffDelay, sleep } from '@berth/daemon';
import type { TaskDefinition } from '@berth/protocol';

/** What the scheduler delivers for one container. */
export interface ContainerSecrets {
  readonly name: string;
  readonly environment: readonly { readonly name: string; readonly value: string }[];
  readonly repositoryCredentials?: { readonly username: string; readonly password: string };
}

/** `BerthAgentV1.GetTaskSecrets`'s answer. */
export type TaskSecretsAnswer =
  | { readonly containers: readonly ContainerSecrets[] }
  | { readonly failure: { readonly reason: string } };

/** A GetTaskSecrets request (the cluster is the client's). */
export interface TaskSecretsRequest {
  readonly containerInstance: string;
  readonly task: string;
}

/** Docker's registry auth for one pull. */
export interface RegistryAuth {
  readonly username: string;
  readonly password: string;
  readonly serveraddress: string;
}

const PREFIX = 'ResourceInitializationError: unable to pull secrets or registry auth: ';
const FETCH_ATTEMPTS = 4;

/** Whether a task definition asks for secrets or registry credentials. */
export function needsSecrets(td: TaskDefinition): boolean {
  return (td.containerDefinitions ?? []).some((c) => {
    const x = c as { secrets?: unknown[]; repositoryCredentials?: unknown };
    return (
      (Array.isArray(x.secrets) && x.secrets.length > 0) || x.repositoryCredentials !== undefined
    );
  });
}

/** The registry host of an image reference, as Docker names it in auth configs. */
export function registryOf(image: string): string {
  const slash = image.indexOf('/');
  const first = slash < 0 ? '' : image.slice(0, slash);
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) return first;
  return 'https://index.docker.io/v1/';
}

/** One task's secrets, loaded at most once until forgotten. */
export class TaskSecrets {
  readonly #needed: boolean;
  readonly #fetch: (() => Promise<TaskSecretsAnswer>) | undefined;
  #loaded: readonly ContainerSecrets[] | undefined;

  constructor(td: TaskDefinition, fetch: (() => Promise<TaskSecretsAnswer>) | undefined) {
    this.#needed = needsSecrets(td);
    this.#fetch = fetch;
  }

  /** Loads the secrets when the task needs them: true, or the task's stop reason. */
  async load(): Promise<true | string> {
    if (!this.#needed || this.#loaded) return true;
    if (!this.#fetch) return `${PREFIX}this agent's scheduler client cannot fetch secrets`;
    let answer: TaskSecretsAnswer | undefined;
    for (let attempt = 1; answer === undefined; attempt++) {
      try {
        answer = await this.#fetch();
      } catch (err) {
        // A scheduler that is briefly unreachable is asked again, as ECS retries SSM.
        const retryable = (err as { retryable?: unknown } | null)?.retryable === true;
        if (!retryable || attempt >= FETCH_ATTEMPTS) {
          return `${PREFIX}${err instanceof Error ? err.message : String(err)}`;
        }
        await sleep(backoffDelay(attempt, { baseMs: 200, maxMs: 2000 }));
      }
    }
    if ('failure' in answer) return answer.failure.reason;
    this.#loaded = answer.containers;
    return true;
  }

  /** Registry auth for pulling `image`: the credentials of a container that uses it. */
  authFor(image: string, containersOfImage: readonly string[]): RegistryAuth | undefined {
    const c = this.#loaded?.find(
      (x) => containersOfImage.includes(x.name) && x.repositoryCredentials,
    );
    const rc = c?.repositoryCredentials;
    return rc
      ? { username: rc.username, password: rc.password, serveraddress: registryOf(image) }
      : undefined;
  }

  /** `env` with the container's secrets added (a secret wins over a variable of its name). */
  withSecrets(container: string, env: readonly string[]): string[] {
    const add = this.#loaded?.find((x) => x.name === container)?.environment ?? [];
    if (add.length === 0) return [...env];
    const names = new Set(add.map((e) => e.name));
    return [
      ...env.filter((e) => !names.has(e.slice(0, Math.max(0, e.indexOf('='))))),
      ...add.map((e) => `${e.name}=${e.value}`),
    ];
  }

  /** Drops the values (the containers exist now). */
  forget(): void {
    this.#loaded = undefined;
  }
}
