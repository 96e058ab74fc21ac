/**
 * `BerthAgentV1.GetTaskSecrets`: the agent that runs a task asks, over its SigV4-signed
 * channel, for the task's secrets and registry credentials right before it pulls and creates
 * the containers. The task must be assigned to that very instance (its KV key names the
 * instance) and still be meant to run. Served by any replica straight from KV. The answer is
 * the only place a value leaves the scheduler; nothing here logs it or puts it in an error.
 */
import type { ConsulKv } from '@berth/consul';
import { clientError, invalidParameter } from '../errors.js';
import { decodeTask, type KvLayout, type TaskDefRec } from '../state/records.js';
import { clusterNameOf } from '../core/arn.js';
import { type Body, optString, reqString } from '../core/input.js';
import {
  resolveTaskSecrets,
  type ContainerSecrets,
  type SecretLookup,
} from '../core/secrets/resolve-task-secrets.js';

/** The answer: each container's environment additions and registry credentials, or a failure. */
export type TaskSecretsAnswer =
  { containers: ContainerSecrets[] } | { failure: { reason: string } };

const lastSegment = (s: string): string => s.slice(s.lastIndexOf('/') + 1);

/** Builds the handler over KV and a value lookup (undefined lookup: the SSM API is off). */
export function taskSecretsHandler(
  kv: ConsulKv,
  layout: KvLayout,
  lookup: SecretLookup | undefined,
): (body: Body) => Promise<TaskSecretsAnswer> {
  return async (body) => {
    const cluster = clusterNameOf(optString(body, 'cluster'));
    const instanceId = lastSegment(reqString(body, 'containerInstance'));
    const id = lastSegment(reqString(body, 'task'));
    const entry = await kv.get(layout.task({ cluster, instanceId, id }));
    if (!entry?.value) {
      throw invalidParameter('The referenced task was not found on this container instance.');
    }
    const task = decodeTask(cluster, instanceId, id, entry.value);
    if (task.done || task.desiredStatus !== 'RUNNING') {
      throw clientError('The task is no longer meant to run; its secrets are not delivered.');
    }
    const [family, rev] = task.taskDefinition.split(':');
    const tdEntry = await kv.get(layout.taskDef(family ?? '', Number(rev)));
    if (!tdEntry?.value) throw clientError('The task definition of the task was not found.');
    const td = JSON.parse(tdEntry.value) as TaskDefRec;
    const defs = (td.body['containerDefinitions'] as Record<string, unknown>[] | undefined) ?? [];
    const needs = defs.some(
      (c) => (Array.isArray(c['secrets']) && c['secrets'].length > 0) || c['repositoryCredentials'],
    );
    if (needs && !lookup) {
      return {
        failure: {
          reason:
            'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: the scheduler has no secrets store (start it with --secrets-key FILE)',
        },
      };
    }
    const r = await resolveTaskSecrets(defs, lookup ?? (async () => undefined));
    return r.ok ? { containers: r.containers } : { failure: { reason: r.reason } };
  };
}
