// Issue 21: scheduled actions' schedules (at / rate / cron in UTC) and which action fires:
// the latest due run wins, an hour of lookback at most, never before the action existed,
// StartTime / EndTime respected; min/max after an action keep min ≤ max.
import t from 'tap';
import {
  boundsAfter,
  dueScheduledAction,
  type ScheduledActionRecord,
} from '../src/autoscaling/due-scheduled-action.js';
import { lastRunIn, parseSchedule } from '../src/autoscaling/schedule.js';

const T = (iso: string): number => Date.parse(`${iso}Z`);

t.test('parse errors name the part', async (t) => {
  for (const bad of [
    'every 5 minutes',
    'rate(0 minutes)',
    'rate(5 weeks)',
    'at(2026-13-01T00:00:00)',
    'cron(0 12 * * ?)',
    'cron(61 * * * ? *)',
    'cron(0 12 L * ? *)',
    'cron(0 5-2 * * ? *)',
  ]) {
    t.throws(() => parseSchedule(bad), { name: 'ScheduleError' }, bad);
  }
});

t.test('lastRunIn', async (t) => {
  const cases: {
    name: string;
    s: string;
    after: string;
    until: string;
    start?: string;
    want?: string;
  }[] = [
    {
      name: 'at inside',
      s: 'at(2026-12-06T10:00:00)',
      after: '2026-12-06T09:59:00',
      until: '2026-12-06T10:00:30',
      want: '2026-12-06T10:00:00',
    },
    {
      name: 'at already applied',
      s: 'at(2026-12-06T10:00:00)',
      after: '2026-12-06T10:00:00',
      until: '2026-12-06T10:05:00',
    },
    {
      name: 'rate every 5 min from start',
      s: 'rate(5 minutes)',
      after: '2026-12-06T10:04:00',
      until: '2026-12-06T10:11:00',
      start: '2026-12-06T10:00:00',
      want: '2026-12-06T10:10:00',
    },
    {
      name: 'rate before its first run',
      s: 'rate(1 hour)',
      after: '2026-12-06T10:00:00',
      until: '2026-12-06T10:30:00',
      start: '2026-12-06T10:00:00',
    },
    {
      name: 'cron weekdays 09:30',
      s: 'cron(30 9 ? * MON-FRI *)',
      after: '2026-12-07T09:00:00',
      until: '2026-12-07T10:00:00',
      want: '2026-12-07T09:30:00',
    },
    {
      name: 'cron not on Sunday',
      s: 'cron(30 9 ? * MON-FRI *)',
      after: '2026-12-06T09:00:00',
      until: '2026-12-06T10:00:00',
    },
    {
      name: 'cron every 15 min',
      s: 'cron(0/15 * * * ? *)',
      after: '2026-12-06T10:01:00',
      until: '2026-12-06T10:50:00',
      want: '2026-12-06T10:45:00',
    },
    {
      name: 'cron list and month name',
      s: 'cron(0 8,20 1 DEC ? 2026)',
      after: '2026-12-01T10:00:00',
      until: '2026-12-01T21:00:00',
      want: '2026-12-01T20:00:00',
    },
  ];
  for (const c of cases) {
    const got = lastRunIn(parseSchedule(c.s), T(c.after), T(c.until), c.start ? T(c.start) : 0);
    t.equal(got, c.want ? T(c.want) : undefined, c.name);
  }
});

t.test('dueScheduledAction', async (t) => {
  const a = (o: Partial<ScheduledActionRecord>): ScheduledActionRecord => ({
    name: 'x',
    id: 'i',
    schedule: 'at(2026-12-06T10:00:00)',
    created: T('2026-12-06T00:00:00'),
    min: 2,
    ...o,
  });
  const now = T('2026-12-06T10:00:30');
  t.equal(dueScheduledAction([a({})], 0, now)?.action.name, 'x', 'due');
  t.equal(dueScheduledAction([a({})], T('2026-12-06T10:00:00'), now), undefined, 'applied');
  t.equal(
    dueScheduledAction([a({ created: T('2026-12-06T10:00:10') })], 0, now),
    undefined,
    'created after its run',
  );
  t.equal(
    dueScheduledAction([a({ schedule: 'at(2026-12-06T08:00:00)' })], 0, now),
    undefined,
    'more than an hour ago: not replayed',
  );
  t.equal(
    dueScheduledAction([a({ start: T('2026-12-06T11:00:00') })], 0, now),
    undefined,
    'before StartTime',
  );
  t.equal(
    dueScheduledAction([a({ end: T('2026-12-06T09:00:00') })], 0, now),
    undefined,
    'after EndTime',
  );
  const two = dueScheduledAction(
    [a({ name: 'early', schedule: 'at(2026-12-06T09:50:00)' }), a({ name: 'late' })],
    0,
    now,
  );
  t.equal(two?.action.name, 'late', 'the latest run wins');
});

t.test('boundsAfter', async (t) => {
  t.same(boundsAfter(1, 4, { min: 2 }), { min: 2, max: 4 });
  t.same(boundsAfter(1, 4, { max: 2 }), { min: 1, max: 2 });
  t.same(boundsAfter(1, 4, { min: 6 }), { min: 6, max: 6 }, 'min above max raises max');
  t.same(boundsAfter(3, 4, { max: 2 }), { min: 2, max: 2 }, 'max below min lowers min');
  t.same(boundsAfter(1, 4, {}), { min: 1, max: 4 });
});
