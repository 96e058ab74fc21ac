// The task state machine, table-driven: reports move tasks forward only; stopCode rules.
import t from 'tap';
import {
  LOST_REASON,
  applyReport,
  markLost,
  requestStop,
  type TaskReport,
} from '../src/core/task-transitions.js';
import type { TaskRec } from '../src/state/records.js';

const base: TaskRec = {
  id: '0123456789abcdef0123456789abcdef',
  cluster: 'c',
  instanceId: 'i',
  taskDefinition: 'web:1',
  createdAt: 1000,
  lastStatus: 'PROVISIONING',
  desiredStatus: 'RUNNING',
  version: 1,
};
const essential = (name: string): boolean => name !== 'sidecar';
const rep = (status: TaskReport['status'], extra: Partial<TaskReport> = {}): TaskReport => ({
  status,
  containers: [],
  ...extra,
});

t.test('applyReport', async (t) => {
  const cases: {
    name: string;
    rec: Partial<TaskRec>;
    report: TaskReport;
    want: Partial<TaskRec> | undefined;
  }[] = [
    {
      name: 'PROVISIONING -> PENDING',
      rec: {},
      report: rep('PENDING'),
      want: { lastStatus: 'PENDING', version: 2 },
    },
    {
      name: 'PROVISIONING -> RUNNING',
      rec: {},
      report: rep('RUNNING'),
      want: { lastStatus: 'RUNNING', startedAt: 5000 },
    },
    {
      name: 'RUNNING again is ignored',
      rec: { lastStatus: 'RUNNING' },
      report: rep('RUNNING'),
      want: undefined,
    },
    {
      name: 'older PENDING after RUNNING is ignored',
      rec: { lastStatus: 'RUNNING' },
      report: rep('PENDING'),
      want: undefined,
    },
    {
      name: 'failure before RUNNING -> TaskFailedToStart',
      rec: { lastStatus: 'PENDING' },
      report: rep('STOPPED', { reason: 'CannotPullContainerError: no such image' }),
      want: {
        lastStatus: 'STOPPED',
        desiredStatus: 'STOPPED',
        stopCode: 'TaskFailedToStart',
        stoppedReason: 'CannotPullContainerError: no such image',
        done: true,
      },
    },
    {
      name: 'essential container exited',
      rec: { lastStatus: 'RUNNING' },
      report: rep('STOPPED', {
        containers: [{ containerName: 'web', status: 'STOPPED', exitCode: 1 }],
      }),
      want: {
        stopCode: 'EssentialContainerExited',
        stoppedReason: 'Essential container in task exited',
        done: true,
      },
    },
    {
      name: 'user stop keeps UserInitiated and its reason',
      rec: {
        lastStatus: 'RUNNING',
        desiredStatus: 'STOPPED',
        stopCode: 'UserInitiated',
        stoppedReason: 'bye',
      },
      report: rep('STOPPED', {
        containers: [{ containerName: 'web', status: 'STOPPED', exitCode: 137 }],
      }),
      want: { stopCode: 'UserInitiated', stoppedReason: 'bye', done: true },
    },
    {
      name: 'lost task confirmed STOPPED by the agent',
      rec: { lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedReason: LOST_REASON },
      report: rep('STOPPED'),
      want: { lastStatus: 'STOPPED', stoppedReason: LOST_REASON, done: true },
    },
    {
      name: 'report after done is ignored',
      rec: { lastStatus: 'STOPPED', done: true },
      report: rep('STOPPED'),
      want: undefined,
    },
    {
      name: 'RUNNING after a lost STOPPED is ignored',
      rec: { lastStatus: 'STOPPED' },
      report: rep('RUNNING'),
      want: undefined,
    },
  ];
  for (const c of cases) {
    const got = applyReport({ ...base, ...c.rec }, c.report, 5000, essential);
    if (c.want === undefined) t.equal(got, undefined, c.name);
    else t.match(got, c.want, c.name);
  }
});

t.test('requestStop and markLost', async (t) => {
  t.match(requestStop(base, 7, 'UserInitiated', undefined), {
    desiredStatus: 'STOPPED',
    stopCode: 'UserInitiated',
    stoppingAt: 7,
    stoppedReason: 'Task stopped by user',
  });
  t.equal(requestStop({ ...base, desiredStatus: 'STOPPED' }, 7, 'UserInitiated', 'x'), undefined);
  t.match(markLost({ ...base, lastStatus: 'RUNNING' }, 9), {
    lastStatus: 'STOPPED',
    desiredStatus: 'STOPPED',
    stoppedReason: LOST_REASON,
    stoppedAt: 9,
  });
  t.equal(markLost({ ...base, lastStatus: 'STOPPED' }, 9), undefined);
});
