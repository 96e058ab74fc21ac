/**
 * The actions any replica serves straight from KV, without the leader: the SSM API
 * (`AmazonSSM.*`, SigV4 service `ssm`), `BerthAgentV1.GetTaskSecrets` and
 * `BerthAdminV1.RotateSecretsKey` (service `ecs`). Built once at start from the key file;
 * without one the SSM API answers that it is off. No logic beyond the wiring.
 */
import type { ConsulClient } from '@berth/consul';
import { EcsError } from '../errors.js';
import { taskSecretsHandler } from '../api/task-secrets.js';
import type { KvLayout } from '../state/records.js';
import type { ArnScope } from '../core/arn.js';
import { loadKeyFile } from './key-file.js';
import { SsmLayout } from './parameter-names.js';
import { ParameterStore } from './parameter-store.js';
import { type DirectHandler, SsmApi } from './ssm-api.js';

export const SSM_PREFIX = 'AmazonSSM.';
export const ADMIN_PREFIX = 'BerthAdminV1.';
export const TASK_SECRETS_TARGET = 'BerthAgentV1.GetTaskSecrets';

/** One directly served action: its name for metrics, its SigV4 service and its handler. */
export interface DirectAction {
  readonly action: string;
  readonly service: 'ssm' | 'ecs' | 'application-autoscaling';
  readonly handler: DirectHandler;
}

/** `X-Amz-Target` → directly served action, or undefined for the leader's actions. */
export type DirectLookup = (target: string) => DirectAction | undefined;

/** What startScheduler gets: the lookup and, with a key file, the store (tests, rotation). */
export interface DirectActions {
  readonly lookup: DirectLookup;
  readonly store: ParameterStore | undefined;
  /** True when the key file did not exist and was created with a new key. */
  readonly keyFileCreated: boolean;
}

/** Builds the direct actions; `keyFile` undefined turns the SSM API off. */
export async function createDirectActions(o: {
  readonly consul: ConsulClient;
  readonly kvPrefix: string;
  readonly layout: KvLayout;
  readonly scope: ArnScope;
  readonly keyFile: string | undefined;
}): Promise<DirectActions> {
  let store: ParameterStore | undefined;
  let created = false;
  if (o.keyFile) {
    const loaded = await loadKeyFile(o.keyFile);
    created = loaded.created;
    store = new ParameterStore(o.consul.kv, new SsmLayout(o.kvPrefix), o.keyFile, loaded.ring);
  }
  const api = store ? new SsmApi(store, o.scope) : undefined;
  const handlers = api?.handlers;
  const lookupValue = api
    ? async (ref: string): Promise<string | undefined> => (await api.resolve(ref))?.value
    : undefined;
  const secrets = taskSecretsHandler(o.consul.kv, o.layout, lookupValue);
  const off: DirectHandler = () =>
    Promise.reject(
      new EcsError(
        'UnsupportedOperationException',
        'The SSM API is off on this scheduler: start it with --secrets-key FILE.',
      ),
    );
  const lookup: DirectLookup = (target) => {
    if (target.startsWith(SSM_PREFIX)) {
      const name = target.slice(SSM_PREFIX.length);
      if (handlers && !Object.hasOwn(handlers, name)) return undefined;
      return { action: `AmazonSSM.${name}`, service: 'ssm', handler: handlers?.[name] ?? off };
    }
    if (target === TASK_SECRETS_TARGET) {
      return { action: target, service: 'ecs', handler: (b) => secrets(b) };
    }
    if (target === `${ADMIN_PREFIX}RotateSecretsKey`) {
      return {
        action: target,
        service: 'ecs',
        handler: async () => {
          if (!store) return off({}, undefined);
          const r = await store.rotate();
          return { KeyId: r.keyId, ReEncrypted: r.reEncrypted, RetiredKeyIds: r.retired };
        },
      };
    }
    return undefined;
  };
  return { lookup, store, keyFileCreated: created };
}
