/**
 * Waits (bounded) until given tasks reach a status, reporting progress as their statuses
 * change. Reads only; a task that stops while waiting for RUNNING ends the wait early.
 */

import { sleep } from '@berth/daemon';
import { DescribeTasksCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';

/** Status counts such as `2 RUNNING, 1 PENDING`, in a stable order. */
export function progressLine(tasks: readonly Task[]): string {
  const order = [
    'PROVISIONING',
    'PENDING',
    'ACTIVATING',
    'RUNNING',
    'DEACTIVATING',
    'STOPPING',
    'DEPROVISIONING',
    'STOPPED',
  ];
  const counts = new Map<string, number>();
  for (const t of tasks)
    counts.set(t.lastStatus ?? '?', (counts.get(t.lastStatus ?? '?') ?? 0) + 1);
  return [...counts]
    .sort((a, b) => order.indexOf(a[0]) - order.indexOf(b[0]))
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
}

/** Waits until every task in `arns` is `status` (or STOPPED); returns the last descriptions. */
export async function waitTasks(
  ecs: ECSClient,
  cluster: string,
  arns: readonly string[],
  status: 'RUNNING' | 'STOPPED',
  timeoutMs: number,
  progress: (line: string) => void,
): Promise<{ tasks: Task[]; done: boolean }> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  let tasks: Task[] = [];
  while (arns.length) {
    tasks = [];
    for (let i = 0; i < arns.length; i += 100) {
      const res = await ecs.send(
        new DescribeTasksCommand({ cluster, tasks: arns.slice(i, i + 100) }),
      );
      tasks.push(...(res.tasks ?? []));
    }
    const line = progressLine(tasks);
    if (line !== last) progress(line);
    last = line;
    const settled = tasks.every((t) => t.lastStatus === status || t.lastStatus === 'STOPPED');
    if (settled) return { tasks, done: tasks.every((t) => t.lastStatus === status) };
    if (Date.now() >= deadline) return { tasks, done: false };
    await sleep(250);
  }
  return { tasks, done: true };
}
