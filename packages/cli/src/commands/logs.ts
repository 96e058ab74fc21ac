/**
 * `berth logs TASK [-f]`: a task's container logs, read from the agent's introspection API
 * (`/v1/tasks/<id>/logs`) on the host the task runs on. With `-f` it polls for new lines
 * until interrupted.
 */

import { sleep } from '@berth/daemon';
import { DescribeContainerInstancesCommand, DescribeTasksCommand } from '@aws-sdk/client-ecs';
import type { Env } from '../commands.js';
import { CliError } from '../errors.js';
import { agentUrlFor, newLines } from '../verbs/agent-logs.js';
import { runVerb, type Verb } from '../verbs/run-verb.js';
import { positiveInt } from '../verbs/verb-args.js';

const usage = `Usage: berth logs TASK [-f] [--container NAME] [--tail N] [--agent URL]
  -f, --follow      keep printing new lines (Ctrl-C stops)
  --container NAME  container of the task (default: its first)
  --tail N          lines to show first (default 100)
  --agent URL       the agent's introspection URL (default: found from the task's host)`;

const verb: Verb = {
  name: 'logs',
  usage,
  options: {
    follow: { type: 'boolean', short: 'f' },
    container: { type: 'string' },
    tail: { type: 'string' },
    agent: { type: 'string' },
  },
  body: async (args, { ecs, cluster, dev }, io) => {
    const [task, ...extra] = args.positionals;
    if (!task || extra.length) throw new CliError('BAD_ARGS', usage);
    const tail = positiveInt(args.values.tail, '--tail', 100);
    let agent = typeof args.values.agent === 'string' ? args.values.agent : undefined;
    const described = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [task] })))
      .tasks?.[0];
    if (!described) throw new CliError('NOT_FOUND', `no task ${task} in cluster ${cluster}`);
    if (!agent) {
      const ci = described.containerInstanceArn
        ? (
            await ecs.send(
              new DescribeContainerInstancesCommand({
                cluster,
                containerInstances: [described.containerInstanceArn],
              }),
            )
          ).containerInstances?.[0]
        : undefined;
      agent = agentUrlFor(ci, dev);
    }
    const container =
      typeof args.values.container === 'string'
        ? args.values.container
        : (described.containers?.[0]?.name ?? '');
    const fetchLogs = async (n: number): Promise<string[]> => {
      const url = `${agent}/v1/tasks/${encodeURIComponent(described.taskArn ?? task)}/logs?container=${encodeURIComponent(container)}&tail=${n}`;
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      const text = await res.text();
      if (res.status !== 200)
        throw new CliError('LOGS_UNAVAILABLE', `${url}: ${res.status} ${text.trim()}`);
      return text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
    };
    let shown = await fetchLogs(tail);
    for (const line of shown) io.out(`${line}\n`);
    if (args.values.follow !== true) return 0;
    let stop = false;
    const onSignal = (): void => void (stop = true);
    process.once('SIGINT', onSignal);
    try {
      while (!stop) {
        await sleep(1000);
        const latest = await fetchLogs(Math.max(tail, 200));
        for (const line of newLines(shown, latest)) io.out(`${line}\n`);
        shown = latest;
      }
    } finally {
      process.off('SIGINT', onSignal);
    }
    return 0;
  },
};

export function run(argv: readonly string[], env: Env): Promise<number> {
  return runVerb(verb, argv, env);
}
