// Converging to the assignment list (src/converge.ts): the decisions for each kind of
// assignment and local task, table-driven. Level-triggered: the same list twice decides
// nothing new, and nothing is started twice.
import t from 'tap';
import type { Assignment } from '@berth/protocol';
import { type Decision, type LocalTask, converge } from '../src/index.js';

const td = { family: 'web', revision: 1, containerDefinitions: [{ name: 'web', image: 'i' }] };
const a = (arn: string, more: Partial<Assignment> = {}): Assignment => ({
  taskArn: arn,
  desiredStatus: 'RUNNING',
  lastStatus: 'PENDING',
  taskDefinition: td,
  ...more,
});
const local = (entries: [string, Partial<LocalTask>][]): Map<string, LocalTask> =>
  new Map(entries.map(([k, v]) => [k, { state: 'RUNNING', awaitingAdoption: false, ...v }]));
const summary = (ds: Decision[]): string[] =>
  ds.map((d) =>
    d.kind === 'kill' || d.kind === 'orphan'
      ? `${d.kind} ${d.taskArn}${d.kind === 'kill' ? ` (${d.reason})` : ''}`
      : `${d.kind} ${d.assignment.taskArn}${'reason' in d ? ` (${d.reason})` : ''}${d.kind === 'adopt' && d.kill ? ` kill (${d.kill})` : ''}`,
  );

const cases: {
  name: string;
  input: { list: Assignment[]; local: Map<string, LocalTask>; finished?: string[] };
  want: string[];
}[] = [
  { name: 'new task → start', input: { list: [a('t1')], local: local([]) }, want: ['start t1'] },
  {
    name: 'new task still PROVISIONING → start',
    input: { list: [a('t1', { lastStatus: 'PROVISIONING' })], local: local([]) },
    want: ['start t1'],
  },
  {
    name: 'known task, same list again → nothing',
    input: { list: [a('t1')], local: local([['t1', { state: 'PULLING' }]]) },
    want: [],
  },
  {
    name: 'desired STOPPED, running here → kill with the scheduler reason',
    input: {
      list: [a('t1', { desiredStatus: 'STOPPED', stoppedReason: 'Task stopped by user' })],
      local: local([['t1', {}]]),
    },
    want: ['kill t1 (Task stopped by user)'],
  },
  {
    name: 'desired STOPPED, already stopping → nothing (idempotent)',
    input: {
      list: [a('t1', { desiredStatus: 'STOPPED' })],
      local: local([['t1', { state: 'STOPPING' }]]),
    },
    want: [],
  },
  {
    name: 'desired STOPPED, unknown here → report it STOPPED',
    input: { list: [a('t1', { desiredStatus: 'STOPPED' })], local: local([]) },
    want: ['vanished t1 (Task stopped by the scheduler)'],
  },
  {
    name: 'scheduler believes RUNNING, nothing here → vanished',
    input: { list: [a('t1', { lastStatus: 'RUNNING' })], local: local([]) },
    want: ['vanished t1 (Task containers vanished while the agent was not watching them)'],
  },
  {
    name: 'finished and cleaned here, stale list lists it → never started again',
    input: { list: [a('t1')], local: local([]), finished: ['t1'] },
    want: ['vanished t1 (Task containers vanished while the agent was not watching them)'],
  },
  {
    name: 'found at start, listed → adopt',
    input: {
      list: [a('t1', { lastStatus: 'RUNNING' })],
      local: local([['t1', { awaitingAdoption: true }]]),
    },
    want: ['adopt t1'],
  },
  {
    name: 'found at start, listed STOPPED → adopt then kill',
    input: {
      list: [a('t1', { desiredStatus: 'STOPPED', stoppedReason: 'bye' })],
      local: local([['t1', { awaitingAdoption: true }]]),
    },
    want: ['adopt t1 kill (bye)'],
  },
  {
    name: 'found at start, not listed → orphan',
    input: { list: [], local: local([['t1', { awaitingAdoption: true }]]) },
    want: ['orphan t1'],
  },
  {
    name: 'running here, no longer listed → kill',
    input: { list: [], local: local([['t1', {}]]) },
    want: ['kill t1 (Task is no longer assigned to this container instance)'],
  },
  {
    name: 'stopped here, no longer listed (acknowledged) → nothing',
    input: { list: [], local: local([['t1', { state: 'STOPPED' }]]) },
    want: [],
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    t.same(summary(converge(c.input.list, c.input.local, new Set(c.input.finished ?? []))), c.want);
  });
}
