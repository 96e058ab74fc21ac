/**
 * `BerthAgentV1.ReportRequestCounts`: a router's requests per upstream instance, mapped by the
 * instance's container ID (Meta `berth-container`) to the task whose container it is, hence
 * to the task's ECS service, and recorded in the leader's RequestMetrics. A leader action
 * (followers forward it), like ReportTaskStats. Until the scaling loop has registered the
 * metrics for this leader state, reports are acknowledged and dropped. Must never write KV:
 * request counts are ephemeral by design.
 */
import type { InstanceRequestCount, RequestCountsReport } from '@berth/protocol';
import type { Handler } from '../api/context.js';
import { invalidParameter } from '../errors.js';
import type { SchedulerState } from '../state/scheduler-state.js';
import { optInt, optObjectList, reqString } from '../core/input.js';
import { leaderMetricsOf } from './leader-metrics.js';
import { serviceId } from './service-metrics.js';

const SERVICE_GROUP = 'service:';
const MAX_INSTANCES = 5000;

/** Container runtime ID → serviceId, over the leader's tasks of services. */
export function containerServices(state: SchedulerState): Map<string, string> {
  const out = new Map<string, string>();
  for (const t of state.tasks.values()) {
    const g = t.rec.group;
    if (!g?.startsWith(SERVICE_GROUP)) continue;
    const svc = serviceId(t.rec.cluster, g.slice(SERVICE_GROUP.length));
    for (const c of t.rec.containers ?? []) if (c.runtimeId) out.set(c.runtimeId, svc);
  }
  return out;
}

/** Reads one report, refusing a malformed one (the router's bug: not retryable). */
export function readReport(body: Readonly<Record<string, unknown>>): RequestCountsReport {
  const routerId = reqString(body, 'routerId');
  const sequence = optInt(body, 'sequence', 1, Number.MAX_SAFE_INTEGER) ?? 0;
  if (sequence === 0) throw invalidParameter('sequence is required.');
  const acknowledged = optInt(body, 'acknowledged', 0, sequence - 1) ?? 0;
  const periodMs = optInt(body, 'periodMs', 0, Number.MAX_SAFE_INTEGER) ?? 0;
  const raw = optObjectList(body, 'instances') ?? [];
  if (raw.length > MAX_INSTANCES) {
    throw invalidParameter(`instances: at most ${MAX_INSTANCES} a report.`);
  }
  const instances: InstanceRequestCount[] = [];
  for (const i of raw) {
    const { service, instanceId, containerId, requests } = i;
    if (typeof service !== 'string' || typeof instanceId !== 'string') continue;
    if (typeof requests !== 'number' || !Number.isSafeInteger(requests) || requests < 0) continue;
    instances.push({
      service,
      instanceId,
      containerId: typeof containerId === 'string' ? containerId : '',
      requests,
    });
  }
  return { routerId, sequence, acknowledged, periodMs, instances };
}

export const reportRequestCounts: Handler = (ctx, body) => {
  const report = readReport(body);
  const sink = leaderMetricsOf(ctx.state)?.requests;
  if (!sink) return Promise.resolve({ recorded: 0 });
  let services: Map<string, string> | undefined;
  const applied = sink.apply(ctx.now(), report, (id) => {
    services ??= containerServices(ctx.state);
    return services.get(id);
  });
  let recorded = 0;
  if (services) for (const i of report.instances) if (services.has(i.containerId)) recorded++;
  return Promise.resolve(applied.duplicate ? { recorded: 0, duplicate: true } : { recorded });
};
