/** `berth stop TASK...`: StopTask through the ECS API, waiting (bounded) until STOPPED. */

import { StopTaskCommand } from '@aws-sdk/client-ecs';
import type { Env } from '../commands.js';
import { CliError } from '../errors.js';
import { runVerb, type Verb } from '../verbs/run-verb.js';
import { shortArn } from '../verbs/task-rows.js';
import { positiveInt } from '../verbs/verb-args.js';
import { waitTasks } from '../verbs/wait-tasks.js';

const usage = `Usage: berth stop TASK... [--reason TEXT] [--no-wait] [--timeout SECONDS]
  TASK         task id or ARN`;

const verb: Verb = {
  name: 'stop',
  usage,
  options: {
    reason: { type: 'string' },
    'no-wait': { type: 'boolean' },
    timeout: { type: 'string' },
  },
  body: async (args, { ecs, cluster }, io) => {
    if (!args.positionals.length) throw new CliError('BAD_ARGS', usage);
    const reason =
      typeof args.values.reason === 'string' ? args.values.reason : 'Stopped by berth stop';
    const arns: string[] = [];
    for (const task of args.positionals) {
      const res = await ecs.send(new StopTaskCommand({ cluster, task, reason }));
      arns.push(res.task?.taskArn ?? task);
    }
    const timeout = positiveInt(args.values.timeout, '--timeout', 60);
    const progress = args.json ? () => {} : (line: string) => io.err(`  ${line}\n`);
    const waited =
      args.values['no-wait'] === true
        ? { done: true }
        : await waitTasks(ecs, cluster, arns, 'STOPPED', timeout * 1000, progress);
    if (args.json) io.out(`${JSON.stringify({ stopped: arns, done: waited.done })}\n`);
    else for (const arn of arns) io.out(`${shortArn(arn)}\n`);
    return waited.done ? 0 : 1;
  },
};

export function run(argv: readonly string[], env: Env): Promise<number> {
  return runVerb(verb, argv, env);
}
