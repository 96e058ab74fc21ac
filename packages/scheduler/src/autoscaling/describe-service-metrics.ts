/**
 * `BerthAgentV1.DescribeServiceMetrics` (berth's own action, for the console): one service's
 * utilisation as the leader's scaler sees it: the average CPU and memory of its RUNNING tasks
 * against their reservation (their latest samples no older than `FRESH_MS`, as the scaling
 * loop counts them), each task's latest sample, the reservation, and the service's one-minute
 * aggregates (oldest first, at most 60). A leader action (followers forward it), since the
 * samples live in the leader's memory only. Read-only: must never write KV or record a sample.
 * Whatever fields ServiceMetrics' aggregates and averages carry are passed through as they are;
 * `average.requestsPerTarget` is the routers' requests per running task per minute, when any
 * router reported the service (the value `ALBRequestCountPerTarget` policies are judged on).
 */
import type { Handler } from '../api/context.js';
import { reqString } from '../core/input.js';
import { leaderMetricsOf } from './leader-metrics.js';
import { serviceId } from './service-metrics.js';

/** A sample counts this long (ms): the scaling loop's default `freshMs`. */
export const FRESH_MS = 30_000;

const SERVICE_GROUP = 'service:';

export const describeServiceMetrics: Handler = (ctx, body) => {
  const cluster = reqString(body, 'cluster');
  const service = reqString(body, 'service');
  const leader = leaderMetricsOf(ctx.state);
  const metrics = leader?.usage;
  const now = ctx.now();
  const running = [...ctx.state.tasks.values()].filter(
    (t) =>
      t.rec.cluster === cluster &&
      t.rec.group === `${SERVICE_GROUP}${service}` &&
      t.rec.lastStatus === 'RUNNING' &&
      t.rec.desiredStatus === 'RUNNING',
  );
  const first = running[0];
  const ids = running.map((t) => t.rec.id);
  const id = serviceId(cluster, service);
  const requestsPerTarget = leader?.requests.perTarget(id, ids.length, now);
  const utilisation = metrics?.average(ids, now, FRESH_MS);
  const average =
    requestsPerTarget === undefined ? utilisation : { ...utilisation, requestsPerTarget };
  return Promise.resolve({
    cluster,
    service,
    time: now,
    freshSeconds: FRESH_MS / 1000,
    /** False until the leader's scaler has taken over the samples (just after a failover). */
    collecting: metrics !== undefined,
    runningTasks: ids.length,
    reservation: first ? { cpu: first.resources.cpu, memory: first.resources.memory } : undefined,
    average,
    tasks: metrics
      ? ids.flatMap((id) => {
          const a = metrics.average([id], now, FRESH_MS);
          if (!a) return [];
          const { tasks: _n, ...u } = a;
          return [{ taskId: id, ...u }];
        })
      : [],
    minutes: metrics?.minutes(id) ?? [],
  });
};
