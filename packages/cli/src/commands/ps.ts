/** `berth ps`: the cluster's tasks with host, host ports and status (a thin ECS client). */

import type { Env } from '../commands.js';
import { allTasks, instancesOf } from '../verbs/describe.js';
import { runVerb, type Verb } from '../verbs/run-verb.js';
import { renderTable } from '../verbs/table.js';
import { taskRows } from '../verbs/task-rows.js';

const verb: Verb = {
  name: 'ps',
  usage:
    'Usage: berth ps [--all] [--service NAME] [--json]\n  --all  also tasks that are stopping or stopped',
  options: { all: { type: 'boolean', short: 'a' }, service: { type: 'string' } },
  body: async (args, { ecs, cluster }, io) => {
    const filter =
      typeof args.values.service === 'string' ? { serviceName: args.values.service } : {};
    const tasks = await allTasks(ecs, cluster, 'RUNNING', filter);
    if (args.values.all === true) tasks.push(...(await allTasks(ecs, cluster, 'STOPPED', filter)));
    const rows = taskRows(tasks, await instancesOf(ecs, cluster, tasks), Date.now());
    if (args.json) {
      io.out(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    io.out(
      renderTable(
        ['TASK', 'TASK DEFINITION', 'STATUS', 'DESIRED', 'HEALTH', 'HOST', 'AGE', 'PORTS'],
        rows.map((r) => [
          r.id,
          r.taskDefinition,
          r.status,
          r.desired,
          r.health,
          r.host,
          r.age,
          r.ports,
        ]),
      ),
    );
    return 0;
  },
};

export function run(argv: readonly string[], env: Env): Promise<number> {
  return runVerb(verb, argv, env);
}
