/**
 * `berth run TASKDEF [--count N]`: RunTask through the ECS API, then waits for the tasks to
 * run, showing progress. Placement failures (e.g. `RESOURCE:CPU`) are printed and exit 1.
 */

import { RunTaskCommand } from '@aws-sdk/client-ecs';
import type { Env } from '../commands.js';
import { CliError } from '../errors.js';
import { runVerb, type Verb } from '../verbs/run-verb.js';
import { shortArn } from '../verbs/task-rows.js';
import { positiveInt } from '../verbs/verb-args.js';
import { waitTasks } from '../verbs/wait-tasks.js';

const usage = `Usage: berth run TASKDEF [--count N] [--no-wait] [--timeout SECONDS] [--json]
  TASKDEF        family, family:revision or ARN
  --count N      tasks to start (1-10, default 1)
  --no-wait      return once placed instead of waiting for RUNNING
  --timeout S    how long to wait for RUNNING (default 60)`;

const verb: Verb = {
  name: 'run',
  usage,
  options: {
    count: { type: 'string' },
    'no-wait': { type: 'boolean' },
    timeout: { type: 'string' },
  },
  body: async (args, { ecs, cluster }, io) => {
    const [taskDefinition, ...extra] = args.positionals;
    if (!taskDefinition || extra.length) throw new CliError('BAD_ARGS', usage);
    const count = positiveInt(args.values.count, '--count', 1);
    if (count < 1 || count > 10)
      throw new CliError('BAD_ARGS', `--count must be 1 to 10, got ${count}`);
    const timeout = positiveInt(args.values.timeout, '--timeout', 60);
    const res = await ecs.send(
      new RunTaskCommand({ cluster, taskDefinition, count, startedBy: 'berth-cli' }),
    );
    const arns = (res.tasks ?? []).map((t) => t.taskArn ?? '').filter(Boolean);
    const failures = (res.failures ?? []).map((f) => ({
      arn: f.arn ?? '',
      reason: f.reason ?? '',
      detail: f.detail ?? '',
    }));
    const progress = args.json ? () => {} : (line: string) => io.err(`  ${line}\n`);
    const waited =
      args.values['no-wait'] === true || !arns.length
        ? { tasks: [], done: true }
        : await waitTasks(ecs, cluster, arns, 'RUNNING', timeout * 1000, progress);
    if (args.json) {
      io.out(`${JSON.stringify({ tasks: arns, failures, running: waited.done }, null, 2)}\n`);
    } else {
      for (const arn of arns) io.out(`${shortArn(arn)}\n`);
      for (const f of failures)
        io.err(
          `failure: ${f.reason}${f.arn ? ` (${shortArn(f.arn)})` : ''}${f.detail ? `: ${f.detail}` : ''}\n`,
        );
      if (!waited.done) io.err(`not all tasks reached RUNNING within ${timeout} s\n`);
    }
    return failures.length || !waited.done ? 1 : 0;
  },
};

export function run(argv: readonly string[], env: Env): Promise<number> {
  return runVerb(verb, argv, env);
}
