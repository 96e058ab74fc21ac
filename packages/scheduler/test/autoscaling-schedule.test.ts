// Issue 21: scheduled actions' schedules (at / rate / cron, in UTC or an IANA Timezone, across
// daylight-saving changes) and which action fires: the latest due run wins, an hour of lookback
// at most, never before the action existed, StartTime / EndTime respected (absolute, whatever
// the zone); min/max after an action keep min ≤ max.
import t from 'tap';
import {
  boundsAfter,
  dueScheduledAction,
  type ScheduledActionRecord,
} from '../src/autoscaling/due-scheduled-action.js';
import { lastRunIn, parseSchedule } from '../src/autoscaling/schedule.js';
import { isTimeZone } from '../src/autoscaling/zoned-time.js';

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
  t.throws(
    () => parseSchedule('cron(0 9 * * ? *)', 'Mars/Olympus_Mons'),
    { name: 'ScheduleError', message: /Mars\/Olympus_Mons/ },
    'an unknown zone is named',
  );
});

t.test('isTimeZone', async (t) => {
  const cases: { zone: string; want: boolean }[] = [
    { zone: 'UTC', want: true },
    { zone: 'Etc/UTC', want: true },
    { zone: 'Europe/Paris', want: true },
    { zone: 'America/Argentina/Buenos_Aires', want: true },
    { zone: 'Etc/GMT+9', want: true },
    { zone: 'Mars/Olympus_Mons', want: false },
    { zone: '+01:00', want: false },
    { zone: '', want: false },
  ];
  for (const c of cases) t.equal(isTimeZone(c.zone), c.want, c.zone || '(empty)');
});

t.test('lastRunIn', async (t) => {
  const cases: {
    name: string;
    s: string;
    after: string;
    until: string;
    start?: string;
    zone?: string;
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
  // Times below are UTC; `zone` is the schedule's Timezone. New York: EST (-5) / EDT (-4), the
  // clock jumps 02:00 → 03:00 on 2026-03-08 and goes back 02:00 → 01:00 on 2026-11-01.
  cases.push(
    {
      name: 'zoned cron: 09:30 in New York in winter',
      s: 'cron(30 9 ? * MON-FRI *)',
      zone: 'America/New_York',
      after: '2026-12-07T09:00:00',
      until: '2026-12-07T15:00:00',
      want: '2026-12-07T14:30:00',
    },
    {
      name: 'zoned cron: 09:30 in New York in summer',
      s: 'cron(30 9 ? * MON-FRI *)',
      zone: 'America/New_York',
      after: '2026-07-06T09:00:00',
      until: '2026-07-06T14:00:00',
      want: '2026-07-06T13:30:00',
    },
    {
      name: 'zoned cron: the weekday is the local one (Monday 21:00 in New York is Tuesday UTC)',
      s: 'cron(0 21 ? * MON *)',
      zone: 'America/New_York',
      after: '2026-12-08T01:00:00',
      until: '2026-12-08T03:00:00',
      want: '2026-12-08T02:00:00',
    },
    {
      name: 'zoned cron: a half-hour zone',
      s: 'cron(0 9 * * ? *)',
      zone: 'Asia/Kolkata',
      after: '2026-12-06T03:00:00',
      until: '2026-12-06T04:00:00',
      want: '2026-12-06T03:30:00',
    },
    {
      name: 'zoned cron: Etc/GMT+9 is UTC-9',
      s: 'cron(0 9 * * ? *)',
      zone: 'Etc/GMT+9',
      after: '2026-12-06T17:00:00',
      until: '2026-12-06T19:00:00',
      want: '2026-12-06T18:00:00',
    },
    {
      name: 'DST gap: 02:30 the day before exists',
      s: 'cron(30 2 * * ? *)',
      zone: 'America/New_York',
      after: '2026-03-07T06:00:00',
      until: '2026-03-07T09:00:00',
      want: '2026-03-07T07:30:00',
    },
    {
      name: 'DST gap: 02:30 does not exist on the day the clock jumps, so that run is skipped',
      s: 'cron(30 2 * * ? *)',
      zone: 'America/New_York',
      after: '2026-03-08T05:00:00',
      until: '2026-03-08T09:00:00',
    },
    {
      name: 'DST overlap: 01:30 occurs twice, the run is the first (EDT) one',
      s: 'cron(30 1 * * ? *)',
      zone: 'America/New_York',
      after: '2026-11-01T05:00:00',
      until: '2026-11-01T07:00:00',
      want: '2026-11-01T05:30:00',
    },
    {
      name: 'DST overlap: no second run at 01:30 EST',
      s: 'cron(30 1 * * ? *)',
      zone: 'America/New_York',
      after: '2026-11-01T05:30:00',
      until: '2026-11-01T07:00:00',
    },
    {
      name: 'DST overlap: a repeated local minute never runs twice, whatever the fields',
      s: 'cron(0/15 * * * ? *)',
      zone: 'America/New_York',
      after: '2026-11-01T06:00:00',
      until: '2026-11-01T06:50:00',
    },
    {
      name: 'DST overlap of half an hour (Lord Howe): the first 01:45',
      s: 'cron(45 1 * * ? *)',
      zone: 'Australia/Lord_Howe',
      after: '2026-04-04T14:00:00',
      until: '2026-04-04T16:00:00',
      want: '2026-04-04T14:45:00',
    },
    {
      name: 'zoned at: 10:00 in Paris in winter',
      s: 'at(2026-12-06T10:00:00)',
      zone: 'Europe/Paris',
      after: '2026-12-06T08:00:00',
      until: '2026-12-06T10:00:00',
      want: '2026-12-06T09:00:00',
    },
    {
      name: 'zoned at: 10:00 in Paris in summer',
      s: 'at(2026-07-06T10:00:00)',
      zone: 'Europe/Paris',
      after: '2026-07-06T07:00:00',
      until: '2026-07-06T10:00:00',
      want: '2026-07-06T08:00:00',
    },
    {
      name: 'zoned at in the DST gap: runs at the jump (03:00 EDT)',
      s: 'at(2026-03-08T02:30:00)',
      zone: 'America/New_York',
      after: '2026-03-08T06:00:00',
      until: '2026-03-08T08:00:00',
      want: '2026-03-08T07:00:00',
    },
    {
      name: 'zoned at in the DST overlap: the first 01:30',
      s: 'at(2026-11-01T01:30:00)',
      zone: 'America/New_York',
      after: '2026-11-01T05:00:00',
      until: '2026-11-01T07:00:00',
      want: '2026-11-01T05:30:00',
    },
    {
      name: 'rate has no wall clock: the zone changes nothing',
      s: 'rate(5 minutes)',
      zone: 'Asia/Kolkata',
      after: '2026-12-06T10:04:00',
      until: '2026-12-06T10:11:00',
      start: '2026-12-06T10:00:00',
      want: '2026-12-06T10:10:00',
    },
  );
  for (const c of cases) {
    const s = parseSchedule(c.s, c.zone);
    const got = lastRunIn(s, T(c.after), T(c.until), c.start ? T(c.start) : 0);
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
  // 05:00 in New York is 10:00 UTC; StartTime 09:30 is UTC whatever the zone.
  const ny = a({
    schedule: 'at(2026-12-06T05:00:00)',
    timezone: 'America/New_York',
    start: T('2026-12-06T09:30:00'),
  });
  t.equal(dueScheduledAction([ny], 0, now)?.at, T('2026-12-06T10:00:00'), 'zoned, StartTime UTC');
  t.equal(
    dueScheduledAction([a({ timezone: 'America/New_York' })], 0, now),
    undefined,
    'at(10:00) in New York is not due at 10:00 UTC',
  );
});

t.test('boundsAfter', async (t) => {
  t.same(boundsAfter(1, 4, { min: 2 }), { min: 2, max: 4 });
  t.same(boundsAfter(1, 4, { max: 2 }), { min: 1, max: 2 });
  t.same(boundsAfter(1, 4, { min: 6 }), { min: 6, max: 6 }, 'min above max raises max');
  t.same(boundsAfter(3, 4, { max: 2 }), { min: 2, max: 2 }, 'max below min lowers min');
  t.same(boundsAfter(1, 4, {}), { min: 1, max: 4 });
});
