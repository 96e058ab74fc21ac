/**
 * Wires the Application Auto Scaling API into the scheduler's direct lookup:
 * `AnyScaleFrontendService.<Action>` → a handler any replica serves, SigV4 service
 * `application-autoscaling`. No logic beyond the wiring.
 */
import type { ConsulKv } from '@berth/consul';
import { EcsError } from '../errors.js';
import type { KvLayout } from '../state/records.js';
import type { DirectAction } from '../ssm/direct-actions.js';
import type { ArnScope } from '../core/arn.js';
import { ScalingApi } from './scaling-api.js';
import { ScheduledActionsApi } from './scheduled-actions-api.js';
import { ScalingLayout } from './scaling-records.js';
import { TargetStore } from './target-store.js';

export const AUTOSCALING_PREFIX = 'AnyScaleFrontendService.';

/** The store (for the leader's loop) and the lookup (for the listener). */
export function createScalingActions(o: {
  readonly kv: ConsulKv;
  readonly kvPrefix: string;
  readonly layout: KvLayout;
  readonly scope: ArnScope;
}): { store: TargetStore; lookup: (target: string) => DirectAction | undefined } {
  const store = new TargetStore(o.kv, new ScalingLayout(o.kvPrefix));
  const api = new ScalingApi({ store, kv: o.kv, layout: o.layout, scope: o.scope });
  const handlers = {
    ...api.handlers,
    ...new ScheduledActionsApi(store, api, o.scope).handlers,
  };
  return {
    store,
    lookup: (target) => {
      if (!target.startsWith(AUTOSCALING_PREFIX)) return undefined;
      const name = target.slice(AUTOSCALING_PREFIX.length);
      const handler = Object.hasOwn(handlers, name) ? handlers[name] : undefined;
      const unknown = (): Promise<unknown> =>
        Promise.reject(new EcsError('UnknownOperationException', `Unknown operation ${target}.`));
      return { action: target, service: 'application-autoscaling', handler: handler ?? unknown };
    },
  };
}
