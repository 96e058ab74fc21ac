/**
 * `BerthAgentV1.ReportTaskStats`: an agent's Docker stats of its tasks, turned into
 * utilisation against each task's reservation and recorded in the leader's ServiceMetrics.
 * A leader action (followers forward it), so the samples land where the scaler runs. The
 * metrics object is found by the leader's state (the scaling loop registers it each term):
 * until it has, reports are acknowledged and dropped. Must never write KV: samples are
 * ephemeral by design.
 */
import type { TaskStatsSample } from '@berth/protocol';
import type { Handler } from '../api/context.js';
import { invalidParameter } from '../errors.js';
import { optObjectList, reqString } from '../core/input.js';
import { leaderMetricsOf } from './leader-metrics.js';
import { serviceId } from './service-metrics.js';

const SERVICE_GROUP = 'service:';

export const reportTaskStats: Handler = (ctx, body) => {
  reqString(body, 'cluster');
  reqString(body, 'containerInstance');
  const tasks = optObjectList(body, 'tasks') ?? [];
  if (tasks.length > 1000) throw invalidParameter('tasks: at most 1000 a report.');
  const sink = leaderMetricsOf(ctx.state)?.usage;
  let recorded = 0;
  const now = ctx.now();
  for (const raw of tasks) {
    const s = raw as unknown as TaskStatsSample;
    if (typeof s.taskArn !== 'string') continue;
    if (typeof s.cpuUnits !== 'number' || typeof s.memoryMiB !== 'number') continue;
    const id = s.taskArn.slice(s.taskArn.lastIndexOf('/') + 1);
    const rt = ctx.state.tasks.get(id);
    const group = rt?.rec.group;
    if (!rt || !sink || !group?.startsWith(SERVICE_GROUP)) continue;
    // A task without a CPU reservation is measured against one core, as a share of the host.
    const cpuRes = rt.resources.cpu > 0 ? rt.resources.cpu : 1024;
    const memRes = rt.resources.memory > 0 ? rt.resources.memory : 0;
    sink.record(now, id, serviceId(rt.rec.cluster, group.slice(SERVICE_GROUP.length)), {
      cpu: (100 * s.cpuUnits) / cpuRes,
      memory: memRes > 0 ? (100 * s.memoryMiB) / memRes : 0,
    });
    recorded++;
  }
  return Promise.resolve({ recorded });
};
