// Issue 4: the registrator's view of a Docker container (inspect → ContainerInfo; the parsing
// itself is @berth/docker's, tested there) and the per-container queue, table-driven.
import t from 'tap';
import { KeyedQueue, containerFromInspect } from '../src/index.js';

t.test('containerFromInspect', async (t) => {
  const cases: { name: string; input: Parameters<typeof containerFromInspect>[0]; want: object }[] =
    [
      {
        name: 'bridge network: what the registrator reads passes through (parsing: @berth/docker)',
        input: {
          Id: 'abc',
          Name: '/web',
          State: { Status: 'running', ExitCode: 0, Health: { Status: 'healthy' } },
          Config: { Image: 'web:1', Env: ['A=1'], Labels: { l: 'v' } },
          NetworkSettings: {
            Networks: { bridge: { IPAddress: '127.0.0.9' } },
            Ports: { '53/udp': [{ HostIp: '127.0.0.1', HostPort: '40053' }] },
          },
        },
        want: {
          id: 'abc',
          name: 'web',
          image: 'web:1',
          env: ['A=1'],
          labels: { l: 'v' },
          ip: '127.0.0.9',
          state: 'running',
          exitCode: 0,
          health: 'healthy',
          ports: [
            { port: 53, protocol: 'udp', bindings: [{ hostIp: '127.0.0.1', hostPort: 40053 }] },
          ],
        },
      },
      {
        name: 'host network: exposed ports are reachable on the host as they are',
        input: {
          Id: 'h',
          Name: '/hostnet',
          State: { Status: 'running' },
          Config: { Image: 'x', ExposedPorts: { '8080/tcp': {} } },
          HostConfig: { NetworkMode: 'host' },
          NetworkSettings: { Ports: {} },
        },
        want: {
          ip: '',
          ports: [{ port: 8080, protocol: 'tcp', bindings: [{ hostIp: '', hostPort: 8080 }] }],
        },
      },
      {
        name: 'a stopped container: sctp ports are not registered',
        input: {
          Id: 's',
          State: { Status: 'exited', ExitCode: 137 },
          Config: { ExposedPorts: { '1/sctp': {}, '80/tcp': {} } },
        },
        want: {
          state: 'exited',
          exitCode: 137,
          ports: [{ port: 80, protocol: 'tcp', bindings: [] }],
        },
      },
      {
        name: 'an unknown state reads as dead',
        input: { Id: 'u', State: { Status: 'weird' } },
        want: { state: 'dead', exitCode: 0 },
      },
    ];
  for (const c of cases) t.match(containerFromInspect(c.input), c.want, c.name);
});

t.test('KeyedQueue: serial per key, parallel across keys, coalescing, exclusive', async (t) => {
  const q = new KeyedQueue();
  const log: string[] = [];
  let gate!: () => void;
  const blocked = new Promise<void>((r) => (gate = r));
  const p1 = q.run('a', async () => {
    log.push('a1 start');
    await blocked;
    log.push('a1 end');
  });
  await new Promise((r) => setImmediate(r)); // a1 has started
  const p2 = q.run('a', async () => void log.push('a2'));
  const p3 = q.run('a', async () => void log.push('a3 (merged)'));
  const pb = q.run('b', async () => void log.push('b1'));
  t.equal(p3, p2, 'a task queued behind a waiting one is merged into it');
  t.not(p2, p1, 'but not into a running one');
  await pb;
  t.same(log, ['a1 start', 'b1'], 'b ran while a1 was busy');
  const ex = q.exclusive(async () => void log.push('exclusive'));
  q.run('b', async () => void log.push('b2'));
  gate();
  await Promise.all([p1, p2, ex]);
  await q.drain();
  t.same(
    log.slice(0, 4),
    ['a1 start', 'b1', 'a1 end', 'exclusive'],
    'the exclusive section waited for a1',
  );
  t.same(log.slice(4).sort(), ['a2', 'b2'], 'and held a2 and b2 back until it ended');
  await t.rejects(
    q.run('c', async () => Promise.reject(new Error('boom'))),
    /boom/,
    'a task error rejects its promise',
  );
  await q.run('c', async () => void log.push('c after error'));
  t.equal(log.at(-1), 'c after error', 'the key keeps working after an error');
});
