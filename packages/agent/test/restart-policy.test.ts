// ECS container restart policy (src/restart-policy.ts) and --image-pull-behavior
// (src/pull-policy.ts): pure decisions, table-driven.
import t from 'tap';
import {
  type ExitFacts,
  type PullBehavior,
  isValidImageReference,
  pullPlan,
  shouldRestart,
} from '../src/index.js';

const at = (s: number): number => s * 1000;
const facts = (f: Partial<ExitFacts>): ExitFacts => ({
  policy: { enabled: true, restartAttemptPeriod: 60 },
  exitCode: 1,
  startedAtMs: at(0),
  nowMs: at(61),
  taskStopping: false,
  ...f,
});

const restartCases: { name: string; input: ExitFacts; want: [boolean, RegExp] }[] = [
  { name: 'ran past the period → restart', input: facts({}), want: [true, /exit code 1/] },
  {
    name: 'exit 0 also restarts (ECS: any code not ignored)',
    input: facts({ exitCode: 0 }),
    want: [true, /exit code 0/],
  },
  {
    name: 'no policy → no restart',
    input: facts({ policy: undefined }),
    want: [false, /not enabled/],
  },
  {
    name: 'enabled: false → no restart',
    input: facts({ policy: { enabled: false } }),
    want: [false, /not enabled/],
  },
  {
    name: 'ignored exit code → no restart',
    input: facts({ policy: { enabled: true, ignoredExitCodes: [0, 1], restartAttemptPeriod: 60 } }),
    want: [false, /exit code 1 is ignored/],
  },
  {
    name: 'ran less than restartAttemptPeriod → no restart',
    input: facts({ nowMs: at(59) }),
    want: [false, /ran 59\.0s, less than restartAttemptPeriod 60s/],
  },
  {
    name: 'default period is 300s',
    input: facts({ policy: { enabled: true }, nowMs: at(299) }),
    want: [false, /restartAttemptPeriod 300s/],
  },
  {
    name: 'default period passed',
    input: facts({ policy: { enabled: true }, nowMs: at(300) }),
    want: [true, /exit code/],
  },
  {
    name: 'task stopping → no restart',
    input: facts({ taskStopping: true }),
    want: [false, /task is stopping/],
  },
  {
    name: 'never started → no restart',
    input: facts({ startedAtMs: undefined }),
    want: [false, /never started/],
  },
  {
    name: 'exit code unknown (container removed) → no restart',
    input: facts({ exitCode: undefined }),
    want: [false, /exit code unknown/],
  },
];

for (const c of restartCases) {
  t.test(`restart: ${c.name}`, async (t) => {
    const got = shouldRestart(c.input);
    t.equal(got.restart, c.want[0]);
    t.match(got.why, c.want[1]);
  });
}

const pullCases: { name: string; input: [PullBehavior, boolean, boolean]; want: string }[] = [
  { name: 'prefer-cached, present', input: ['prefer-cached', true, false], want: 'use-local' },
  { name: 'prefer-cached, absent', input: ['prefer-cached', false, false], want: 'pull' },
  { name: 'once, present and pulled before', input: ['once', true, true], want: 'use-local' },
  { name: 'once, present but never pulled by us', input: ['once', true, false], want: 'pull' },
  { name: 'once, pulled before but removed since', input: ['once', false, true], want: 'pull' },
  { name: 'always, present', input: ['always', true, true], want: 'pull' },
  {
    name: 'default, present → pull, fall back to local',
    input: ['default', true, false],
    want: 'pull-or-local',
  },
  { name: 'default, absent → pull', input: ['default', false, false], want: 'pull' },
];

for (const c of pullCases) {
  t.test(`pull: ${c.name}`, async (t) => {
    t.equal(pullPlan(...c.input), c.want);
  });
}

const refs: { name: string; input: string; want: boolean }[] = [
  { name: 'name:tag', input: 'berth/busybox:test', want: true },
  { name: 'bare name', input: 'nginx', want: true },
  { name: 'registry with port', input: 'registry.local:5000/team/web:1.2', want: true },
  { name: 'digest', input: `web@sha256:${'a'.repeat(64)}`, want: true },
  { name: 'upper case name', input: 'Bad/Image', want: false },
  { name: 'spaces and !', input: 'Bad Image!!', want: false },
  { name: 'empty', input: '', want: false },
  { name: 'trailing colon', input: 'web:', want: false },
];
for (const c of refs) {
  t.test(`image reference: ${c.name}`, async (t) => {
    t.equal(isValidImageReference(c.input), c.want);
  });
}
