// Cleanup selection (src/cleanup.ts): stopped tasks after --cleanup-wait, oldest first;
// unused images over the disk threshold, least recently used first.
import t from 'tap';
import { dueForCleanup, imagesToRemove } from '../src/index.js';

const tasks = [
  { taskArn: 'c', stoppedAt: 3000 },
  { taskArn: 'a', stoppedAt: 1000 },
  { taskArn: 'b', stoppedAt: 2000 },
  { taskArn: 'd', stoppedAt: 9500 },
];

const cases: { name: string; input: [number, number, number?]; want: string[] }[] = [
  { name: 'all due, oldest first', input: [10_000, 0], want: ['a', 'b', 'c', 'd'] },
  { name: 'only those past the wait', input: [10_000, 7500], want: ['a', 'b'] },
  { name: 'none yet', input: [10_000, 60_000], want: [] },
  { name: 'at most max per pass, oldest first', input: [10_000, 0, 2], want: ['a', 'b'] },
];
for (const c of cases) {
  t.test(`cleanup: ${c.name}`, async (t) => {
    t.same(
      dueForCleanup(tasks, ...c.input).map((x) => x.taskArn),
      c.want,
    );
  });
}

const tracked = [
  { ref: 'new:1', lastUsed: 9_000 },
  { ref: 'old:1', lastUsed: 1_000 },
  { ref: 'used:1', lastUsed: 500 },
  { ref: 'mid:1', lastUsed: 5_000 },
];
const gc: { name: string; input: { usedPercent: number; minAgeMs: number }; want: string[] }[] = [
  { name: 'under the threshold → nothing', input: { usedPercent: 84.9, minAgeMs: 0 }, want: [] },
  {
    name: 'over → unused images, LRU first',
    input: { usedPercent: 90, minAgeMs: 0 },
    want: ['old:1', 'mid:1', 'new:1'],
  },
  {
    name: 'recently used images are kept',
    input: { usedPercent: 90, minAgeMs: 4_000 },
    want: ['old:1', 'mid:1'],
  },
];
for (const c of gc) {
  t.test(`images: ${c.name}`, async (t) => {
    const got = imagesToRemove({
      tracked,
      inUse: new Set(['used:1']),
      thresholdPercent: 85,
      nowMs: 10_000,
      ...c.input,
    });
    t.same(
      got.map((i) => i.ref),
      c.want,
    );
  });
}
