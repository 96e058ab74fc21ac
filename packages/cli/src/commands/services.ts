/** `berth services`: the cluster's ECS services with desired / running / pending counts. */

import type { Env } from '../commands.js';
import { allServices } from '../verbs/describe.js';
import { runVerb, type Verb } from '../verbs/run-verb.js';
import { renderTable } from '../verbs/table.js';
import { serviceRows } from '../verbs/task-rows.js';

const verb: Verb = {
  name: 'services',
  usage: 'Usage: berth services [--json]',
  options: {},
  body: async (args, { ecs, cluster }, io) => {
    const rows = serviceRows(await allServices(ecs, cluster));
    if (args.json) {
      io.out(`${JSON.stringify(rows, null, 2)}\n`);
      return 0;
    }
    io.out(
      renderTable(
        [
          'SERVICE',
          'STATUS',
          'DESIRED',
          'RUNNING',
          'PENDING',
          'TASK DEFINITION',
          'TYPE',
          'DEPLOYMENTS',
        ],
        rows.map((r) => [
          r.name,
          r.status,
          String(r.desired),
          String(r.running),
          String(r.pending),
          r.taskDefinition,
          r.strategy,
          String(r.deployments),
        ]),
      ),
    );
    return 0;
  },
};

export function run(argv: readonly string[], env: Env): Promise<number> {
  return runVerb(verb, argv, env);
}
