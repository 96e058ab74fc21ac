// Issue 21: the agent's task stats — Docker's stats turned into CPU units and MiB (as
// `docker stats` computes them), summed per task, sent as one report; stopped and foreign
// containers are skipped; a failed stats call skips that container only.
import t from 'tap';
import { LABEL_TASK_ARN, type TaskStatsReport } from '@berth/protocol';
import { TaskStatsSampler, usageOf, type DockerStats } from '../src/task-stats.js';

const stats = (cpu: number, sys: number, cpus: number, usage: number, cache = 0): DockerStats => ({
  cpu_stats: {
    cpu_usage: { total_usage: 1e9 + cpu },
    system_cpu_usage: 1e12 + sys,
    online_cpus: cpus,
  },
  precpu_stats: { cpu_usage: { total_usage: 1e9 }, system_cpu_usage: 1e12 },
  memory_stats: { usage, stats: { inactive_file: cache } },
});

t.test('usageOf', async (t) => {
  const cases: {
    name: string;
    input: DockerStats;
    want: { cpuUnits: number; memoryMiB: number };
  }[] = [
    {
      name: 'one core busy of 2',
      input: stats(1e9, 2e9, 2, 64 * 2 ** 20),
      want: { cpuUnits: 1024, memoryMiB: 64 },
    },
    {
      name: 'quarter of a core, cache left out',
      input: stats(25e7, 2e9, 2, 80 * 2 ** 20, 16 * 2 ** 20),
      want: { cpuUnits: 256, memoryMiB: 64 },
    },
    {
      name: 'no previous reading: 0 CPU',
      input: { cpu_stats: { cpu_usage: { total_usage: 5 } } },
      want: { cpuUnits: 0, memoryMiB: 0 },
    },
    { name: 'empty', input: {}, want: { cpuUnits: 0, memoryMiB: 0 } },
  ];
  for (const c of cases) t.same(usageOf(c.input), c.want, c.name);
});

t.test('one report per sample, summed per task', async (t) => {
  const reports: TaskStatsReport[] = [];
  const sampler = new TaskStatsSampler({
    cluster: 'c',
    containerInstance: () => 'arn:ci',
    list: () =>
      Promise.resolve([
        { id: 'a1', running: true, labels: { [LABEL_TASK_ARN]: 'arn:task/a' } },
        { id: 'a2', running: true, labels: { [LABEL_TASK_ARN]: 'arn:task/a' } },
        { id: 'b1', running: true, labels: { [LABEL_TASK_ARN]: 'arn:task/b' } },
        { id: 'gone', running: false, labels: { [LABEL_TASK_ARN]: 'arn:task/c' } },
        { id: 'other', running: true, labels: {} as Record<string, string> },
        { id: 'bad', running: true, labels: { [LABEL_TASK_ARN]: 'arn:task/d' } },
      ]),
    stats: (id) =>
      id === 'bad'
        ? Promise.reject(new Error('no such container'))
        : Promise.resolve(stats(id === 'b1' ? 2e9 : 5e8, 2e9, 2, 10 * 2 ** 20)),
    report: (r) => {
      reports.push(r);
      return Promise.resolve();
    },
    concurrency: 2,
  });
  const r = await sampler.sampleOnce();
  t.equal(reports.length, 1);
  t.same(
    r?.tasks.map((x) => [x.taskArn, x.cpuUnits, x.memoryMiB]),
    [
      ['arn:task/a', 1024, 20],
      ['arn:task/b', 2048, 10],
    ],
  );
  t.match(r, { cluster: 'c', containerInstance: 'arn:ci' });
});

t.test('nothing running or not registered: no report', async (t) => {
  let calls = 0;
  const mk = (instance: string) =>
    new TaskStatsSampler({
      cluster: 'c',
      containerInstance: () => instance,
      list: () => Promise.resolve([]),
      stats: () => Promise.resolve({}),
      report: () => {
        calls++;
        return Promise.resolve();
      },
    });
  t.equal(await mk('').sampleOnce(), undefined);
  t.equal(await mk('arn:ci').sampleOnce(), undefined);
  t.equal(calls, 0);
});
