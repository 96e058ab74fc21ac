// Issue 21, for the console: nextRunAfter (when a scheduled action runs next: at, rate from
// its anchor, cron minute by minute, StartTime/EndTime, the horizon, unreadable schedules) and
// BerthAgentV1.DescribeServiceMetrics against a real scheduler with a simulated agent: the
// running tasks' average against their reservation, each task's sample, the one-minute
// aggregates, and nothing for a service without samples.
import { eventually } from '@berth/daemon/testing';
import t from 'tap';
import { nextRunAfter } from '../src/index.js';
import { SimulatedAgent } from '../src/testing/index.js';
import { CREDS, startStack, webTaskDef } from './fixtures.js';

const at = (iso: string): number => Date.parse(`${iso}Z`);

t.test('nextRunAfter', async (t) => {
  const now = at('2026-12-06T07:10:30');
  const cases: [string, string, Parameters<typeof nextRunAfter>[2], string | undefined][] = [
    ['at in the future', 'at(2026-12-07T08:00:00)', {}, '2026-12-07T08:00:00'],
    ['at in the past', 'at(2026-12-05T08:00:00)', {}, undefined],
    ['at after EndTime', 'at(2026-12-07T08:00:00)', { end: at('2026-12-07T00:00:00') }, undefined],
    [
      'rate from its creation',
      'rate(15 minutes)',
      { created: at('2026-12-06T07:00:00') },
      '2026-12-06T07:15:00',
    ],
    [
      'rate from StartTime (first run one period after)',
      'rate(1 hour)',
      { start: at('2026-12-06T09:30:00'), created: 0 },
      '2026-12-06T10:30:00',
    ],
    ['cron every day at 08:00', 'cron(0 8 * * ? *)', {}, '2026-12-06T08:00:00'],
    [
      'cron at 08:00 in Paris (UTC+1 in December)',
      'cron(0 8 * * ? *)',
      { timezone: 'Europe/Paris' },
      '2026-12-07T07:00:00',
    ],
    [
      'cron at 08:00 in New York (UTC-5 in December)',
      'cron(0 8 * * ? *)',
      { timezone: 'America/New_York' },
      '2026-12-06T13:00:00',
    ],
    [
      'at in a zone',
      'at(2026-12-07T08:00:00)',
      { timezone: 'Asia/Kolkata' },
      '2026-12-07T02:30:00',
    ],
    [
      'an unknown zone: unreadable',
      'cron(0 8 * * ? *)',
      { timezone: 'Mars/Olympus_Mons' },
      undefined,
    ],
    ['cron on Mondays (MON) at 09:15', 'cron(15 9 ? * MON *)', {}, '2026-12-07T09:15:00'],
    ['cron every 5 minutes', 'cron(0/5 * * * ? *)', {}, '2026-12-06T07:15:00'],
    ['cron in another year: past the horizon', 'cron(0 0 1 1 ? 2030)', {}, undefined],
    [
      'cron within a longer horizon',
      'cron(0 0 1 1 ? 2027)',
      { horizonMs: 40 * 86_400_000 },
      '2027-01-01T00:00:00',
    ],
    ['unreadable', 'every day', {}, undefined],
  ];
  for (const [what, expr, o, want] of cases) {
    const got = nextRunAfter(expr, now, o);
    t.equal(got === undefined ? undefined : new Date(got).toISOString().slice(0, 19), want, what);
  }
});

t.test('DescribeServiceMetrics answers from the leader’s samples', async (t) => {
  const s = await startStack({ serviceIntervalMs: 200, scalingInterval: 200 });
  const agent = new SimulatedAgent({
    endpoint: s.scheduler.url,
    credentials: CREDS,
    waitSeconds: 2,
  });
  await agent.register();
  agent.start();
  t.teardown(async () => {
    await agent.stop();
    await s.close();
  });
  await s.json.ecs('CreateCluster', { clusterName: 'default' });
  await s.json.ecs('RegisterTaskDefinition', webTaskDef());
  await s.json.ecs('CreateService', { serviceName: 'web', taskDefinition: 'web', desiredCount: 2 });
  interface Answer {
    collecting: boolean;
    runningTasks: number;
    reservation?: { cpu: number; memory: number };
    average?: { cpu: number; memory: number; tasks: number };
    tasks: { taskId: string; cpu: number; memory: number }[];
    minutes: { minute: number; samples: number; cpuAvg: number; memoryAvg: number }[];
  }
  const describe = (service = 'web'): Promise<Answer> =>
    s.json.agent<Answer>('DescribeServiceMetrics', { cluster: 'default', service });
  await eventually('two tasks run', async () => (await describe()).runningTasks === 2, {
    timeoutMs: 10_000,
  });
  await eventually('the scaler collects', async () => (await describe()).collecting, {
    timeoutMs: 10_000,
  });
  const empty = await describe();
  t.equal(empty.average, undefined, 'no samples: no average');
  t.same(empty.minutes, []);
  const arns = [...agent.tasks.keys()];
  await s.json.agent('ReportTaskStats', {
    cluster: 'default',
    containerInstance: agent.arn,
    sampledAt: Date.now(),
    tasks: arns.map((taskArn, i) => ({ taskArn, cpuUnits: i === 0 ? 64 : 192, memoryMiB: 32 })),
  });
  const got = await describe();
  t.same(got.reservation, { cpu: 256, memory: 128 }, 'the task’s reservation (fixtures)');
  t.equal(got.average?.tasks, 2);
  t.equal(got.average?.cpu, 50, 'average of both tasks: (25 % + 75 %) / 2');
  t.equal(got.average?.memory, 25, '32 of 128 MiB');
  t.equal(got.tasks.length, 2, 'each task’s latest sample');
  t.equal(got.minutes.length, 1, 'one minute so far');
  t.equal(got.minutes[0]?.samples, 2);
  const none = await describe('nothing');
  t.equal(none.runningTasks, 0);
  t.same(none.minutes, []);
  await t.rejects(s.json.agent('DescribeServiceMetrics', { cluster: 'default' }), /service/);
});
