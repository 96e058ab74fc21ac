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
import { AlarmStore } from './alarm-records.js';
import { CloudWatchApi } from './cloudwatch-api.js';
import type { MetricSeries } from './metric-series.js';

export const AUTOSCALING_PREFIX = 'AnyScaleFrontendService.';

/** The store (for the leader's loop) and the lookup (for the listener). */
export function createScalingActions(o: {
  readonly kv: ConsulKv;
  readonly kvPrefix: string;
  readonly layout: KvLayout;
  readonly scope: ArnScope;
  /** The leader's metric series (GetMetricStatistics), once its scaler runs. */
  readonly series?: () => MetricSeries | undefined;
}): {
  store: TargetStore;
  lookup: (target: string) => DirectAction | undefined;
  alarms: AlarmStore;
  cloudwatch: CloudWatchApi;
} {
  const store = new TargetStore(o.kv, new ScalingLayout(o.kvPrefix));
  const alarms = new AlarmStore(o.kv, o.kvPrefix);
  const cloudwatch = new CloudWatchApi({
    store: alarms,
    scope: o.scope,
    series: o.series ?? (() => undefined),
  });
  const api = new ScalingApi({
    store,
    kv: o.kv,
    layout: o.layout,
    scope: o.scope,
    alarmsFor: async () => {
      const all = await alarms.list();
      return (arn) =>
        all
          .filter((a) =>
            [...a.alarmActions, ...a.okActions, ...a.insufficientDataActions].includes(arn),
          )
          .map((a) => ({ AlarmName: a.name, AlarmARN: cloudwatch.alarmArn(a.name) }));
    },
  });
  const handlers = {
    ...api.handlers,
    ...new ScheduledActionsApi(store, api, o.scope).handlers,
  };
  return {
    store,
    alarms,
    cloudwatch,
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
