// The task state machine (src/core/task-state.ts): every transition, table-driven, in the machine's
// own notation: `STATE --event--> STATE [actions]`.
import t from 'tap';
import {
  type TaskEvent,
  type TaskState,
  TASK_STATES,
  backendStatus,
  transition,
} from '../src/core/task-state.js';

const ev = {
  assign: { type: 'assign' },
  pulled: { type: 'pulled' },
  created: { type: 'created' },
  started: { type: 'started' },
  failed: { type: 'failed', reason: 'CannotPullContainerError: nope' },
  kill: { type: 'kill', reason: 'Task stopped by user' },
  essentialExit: {
    type: 'container-exited',
    container: 'web',
    essential: true,
    restart: false,
    reason: 'Essential container in task exited',
  },
  sideExit: {
    type: 'container-exited',
    container: 'side',
    essential: false,
    restart: false,
    reason: 'x',
  },
  restartExit: {
    type: 'container-exited',
    container: 'web',
    essential: true,
    restart: true,
    reason: 'x',
  },
  allStopped: { type: 'all-stopped' },
  vanished: { type: 'vanished', reason: 'gone' },
  shutdown: { type: 'shutdown' },
  adoptedRunning: { type: 'adopted', found: 'running' },
  adoptedExited: { type: 'adopted', found: 'exited' },
  adoptedPartlyExited: { type: 'adopted', found: 'partly-exited' },
  adoptedIncomplete: { type: 'adopted', found: 'incomplete' },
} satisfies Record<string, TaskEvent>;

const cases: {
  name: string;
  input: [TaskState, TaskEvent];
  want: [TaskState, string[], string?];
}[] = [
  {
    name: 'NONE --assign--> PULLING [pull]',
    input: ['NONE', ev.assign],
    want: ['PULLING', ['pull']],
  },
  {
    name: 'PULLING --pulled--> CREATING [create]',
    input: ['PULLING', ev.pulled],
    want: ['CREATING', ['create']],
  },
  {
    name: 'CREATING --created--> CREATED [start]',
    input: ['CREATING', ev.created],
    want: ['CREATED', ['start']],
  },
  {
    name: 'CREATED --started--> RUNNING [report]',
    input: ['CREATED', ev.started],
    want: ['RUNNING', ['report']],
  },
  {
    name: 'NONE --failed--> STOPPED [report] (bad definition)',
    input: ['NONE', ev.failed],
    want: ['STOPPED', ['report'], ev.failed.reason],
  },
  {
    name: 'PULLING --failed--> STOPPING [stop]',
    input: ['PULLING', ev.failed],
    want: ['STOPPING', ['stop'], ev.failed.reason],
  },
  {
    name: 'CREATING --failed--> STOPPING [stop]',
    input: ['CREATING', ev.failed],
    want: ['STOPPING', ['stop'], ev.failed.reason],
  },
  {
    name: 'CREATED --failed--> STOPPING [stop]',
    input: ['CREATED', ev.failed],
    want: ['STOPPING', ['stop'], ev.failed.reason],
  },
  {
    name: 'NONE --kill--> STOPPED [report]',
    input: ['NONE', ev.kill],
    want: ['STOPPED', ['report'], ev.kill.reason],
  },
  {
    name: 'PULLING --kill--> STOPPING [stop]',
    input: ['PULLING', ev.kill],
    want: ['STOPPING', ['stop'], ev.kill.reason],
  },
  {
    name: 'RUNNING --kill--> STOPPING [stop]',
    input: ['RUNNING', ev.kill],
    want: ['STOPPING', ['stop'], ev.kill.reason],
  },
  {
    name: 'RUNNING --essential exit--> STOPPING [stop]',
    input: ['RUNNING', ev.essentialExit],
    want: ['STOPPING', ['stop'], 'Essential container in task exited'],
  },
  {
    name: 'RUNNING --non-essential exit--> RUNNING [report-container]',
    input: ['RUNNING', ev.sideExit],
    want: ['RUNNING', ['report-container']],
  },
  {
    name: 'RUNNING --exit, policy restarts--> RUNNING [restart-container]',
    input: ['RUNNING', ev.restartExit],
    want: ['RUNNING', ['restart-container']],
  },
  {
    name: 'CREATED --essential exit--> STOPPING [stop]',
    input: ['CREATED', ev.essentialExit],
    want: ['STOPPING', ['stop'], 'Essential container in task exited'],
  },
  {
    name: 'STOPPING --all-stopped--> STOPPED [report]',
    input: ['STOPPING', ev.allStopped],
    want: ['STOPPED', ['report']],
  },
  {
    name: 'STOPPING --created--> STOPPING [stop] (in-flight step finished after the kill)',
    input: ['STOPPING', ev.created],
    want: ['STOPPING', ['stop']],
  },
  {
    name: 'STOPPING --started--> STOPPING [stop]',
    input: ['STOPPING', ev.started],
    want: ['STOPPING', ['stop']],
  },
  {
    name: 'STOPPING --failed--> STOPPING [stop] (stop retry)',
    input: ['STOPPING', ev.failed],
    want: ['STOPPING', ['stop']],
  },
  {
    name: 'STOPPING --kill--> STOPPING [] (repeated kill)',
    input: ['STOPPING', ev.kill],
    want: ['STOPPING', []],
  },
  {
    name: 'STOPPING --exit--> STOPPING [] (own stop, no restart)',
    input: ['STOPPING', ev.restartExit],
    want: ['STOPPING', []],
  },
  {
    name: 'RUNNING --all-stopped--> STOPPED [report]',
    input: ['RUNNING', ev.allStopped],
    want: ['STOPPED', ['report'], 'All containers exited'],
  },
  {
    name: 'RUNNING --vanished--> STOPPED [report]',
    input: ['RUNNING', ev.vanished],
    want: ['STOPPED', ['report'], 'gone'],
  },
  {
    name: 'NONE --vanished--> STOPPED [report]',
    input: ['NONE', ev.vanished],
    want: ['STOPPED', ['report'], 'gone'],
  },
  {
    name: 'RUNNING --assign--> RUNNING [] (same list twice)',
    input: ['RUNNING', ev.assign],
    want: ['RUNNING', []],
  },
  { name: 'PULLING --assign--> PULLING []', input: ['PULLING', ev.assign], want: ['PULLING', []] },
  {
    name: 'RUNNING --started--> RUNNING []',
    input: ['RUNNING', ev.started],
    want: ['RUNNING', []],
  },
  { name: 'STOPPED --kill--> STOPPED []', input: ['STOPPED', ev.kill], want: ['STOPPED', []] },
  {
    name: 'STOPPED --assign--> STOPPED [] (never backwards)',
    input: ['STOPPED', ev.assign],
    want: ['STOPPED', []],
  },
  {
    name: 'STOPPED --started--> STOPPED []',
    input: ['STOPPED', ev.started],
    want: ['STOPPED', []],
  },
  // Issue 16: a restarted agent's adoption goes through the machine too.
  {
    name: 'NONE --adopted(running)--> RUNNING [report] (the report may have been lost)',
    input: ['NONE', ev.adoptedRunning],
    want: ['RUNNING', ['report']],
  },
  {
    name: 'NONE --adopted(exited)--> RUNNING [] (each exit is fed next)',
    input: ['NONE', ev.adoptedExited],
    want: ['RUNNING', []],
  },
  {
    name: 'NONE --adopted(partly-exited)--> CREATED []',
    input: ['NONE', ev.adoptedPartlyExited],
    want: ['CREATED', []],
  },
  {
    name: 'NONE --adopted(incomplete)--> PULLING [] (pulled is fed next: create by name)',
    input: ['NONE', ev.adoptedIncomplete],
    want: ['PULLING', []],
  },
  {
    name: 'RUNNING --adopted(running)--> RUNNING [] (only a new runner adopts)',
    input: ['RUNNING', ev.adoptedRunning],
    want: ['RUNNING', []],
  },
  {
    name: 'STOPPED --adopted(running)--> STOPPED [] (never backwards)',
    input: ['STOPPED', ev.adoptedRunning],
    want: ['STOPPED', []],
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const got = transition(...c.input);
    t.equal(got.state, c.want[0], 'state');
    t.same(got.actions, c.want[1], 'actions');
    t.equal(got.stopReason, c.want[2], 'stop reason');
  });
}

t.test('shutdown detaches in every state and never changes it (kill ≠ shutdown)', async (t) => {
  for (const s of TASK_STATES) {
    const got = transition(s, ev.shutdown);
    t.equal(got.state, s, `${s} unchanged`);
    t.same(got.actions, ['detach'], `${s} detaches, no stop`);
  }
});

t.test('no transition moves the reported status backwards', async (t) => {
  const rank = { PENDING: 0, RUNNING: 1, STOPPED: 2 } as const;
  for (const s of TASK_STATES) {
    for (const e of Object.values(ev)) {
      const next = transition(s, e).state;
      t.ok(
        rank[backendStatus(next)] >= rank[backendStatus(s)],
        `${s} --${e.type}--> ${next} keeps ${backendStatus(s)} or moves forward`,
      );
    }
  }
});

t.test('backend statuses', async (t) => {
  t.same(
    TASK_STATES.map((s) => [s, backendStatus(s)]),
    [
      ['NONE', 'PENDING'],
      ['PULLING', 'PENDING'],
      ['CREATING', 'PENDING'],
      ['CREATED', 'PENDING'],
      ['RUNNING', 'RUNNING'],
      ['STOPPING', 'RUNNING'],
      ['STOPPED', 'STOPPED'],
    ],
  );
});
