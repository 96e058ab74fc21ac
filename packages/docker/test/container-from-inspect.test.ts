// One reading of Docker's inspect answer for every daemon: typed states and health, ports
// from ExposedPorts and NetworkSettings.Ports merged, Go's zero time as undefined, the IP
// from either place, tolerant of missing fields.
import { containerFromInspect, type DockerInspect } from '@berth/docker';
import t from 'tap';

t.test('containerFromInspect', async (t) => {
  const cases: { name: string; input: DockerInspect; want: object }[] = [
    {
      name: 'a running bridge container',
      input: {
        Id: 'abc',
        Name: '/web',
        Created: '2026-01-02T03:04:05.5Z',
        Image: 'sha256:1',
        State: {
          Status: 'running',
          Running: true,
          ExitCode: 0,
          StartedAt: '2026-01-02T03:04:06Z',
          FinishedAt: '0001-01-01T00:00:00Z',
          Health: { Status: 'healthy' },
        },
        Config: {
          Image: 'web:1',
          Env: ['A=1'],
          Labels: { l: 'v' },
          ExposedPorts: { '80/tcp': {}, '9000/tcp': {} },
        },
        HostConfig: { NetworkMode: 'bridge' },
        NetworkSettings: {
          IPAddress: '',
          Networks: { bridge: { IPAddress: '127.0.0.9' } },
          Ports: {
            '80/tcp': [
              { HostIp: '0.0.0.0', HostPort: '32768' },
              { HostIp: '::', HostPort: '32768' },
            ],
            '53/udp': [{ HostIp: '127.0.0.1', HostPort: '40053' }],
            '9000/tcp': null,
          },
        },
        Mounts: [
          { Name: 'data', Source: '/var/lib/docker/volumes/data', Destination: '/data' },
          { Source: '/etc/x', Destination: '/x' },
        ],
      },
      want: {
        id: 'abc',
        name: 'web',
        image: 'web:1',
        imageId: 'sha256:1',
        env: ['A=1'],
        labels: { l: 'v' },
        state: 'running',
        running: true,
        exitCode: 0,
        createdAt: Date.parse('2026-01-02T03:04:05.5Z'),
        startedAt: Date.parse('2026-01-02T03:04:06Z'),
        finishedAt: undefined,
        health: 'healthy',
        networkMode: 'bridge',
        ip: '127.0.0.9',
        ports: [
          {
            port: 80,
            protocol: 'tcp',
            bindings: [
              { hostIp: '0.0.0.0', hostPort: 32768 },
              { hostIp: '::', hostPort: 32768 },
            ],
          },
          { port: 9000, protocol: 'tcp', bindings: [] },
          { port: 53, protocol: 'udp', bindings: [{ hostIp: '127.0.0.1', hostPort: 40053 }] },
        ],
        mounts: [
          { name: 'data', source: '/var/lib/docker/volumes/data', destination: '/data' },
          { source: '/etc/x', destination: '/x' },
        ],
      },
    },
    {
      name: 'a stopped container with missing fields, bad port keys skipped, sctp kept',
      input: {
        Id: 's',
        State: { Status: 'exited', ExitCode: 137, OOMKilled: true, Error: 'boom' },
        Config: {
          Env: null,
          Labels: null,
          ExposedPorts: { 'x/tcp': {}, '70000/tcp': {}, '1/sctp': {} },
        },
        NetworkSettings: null,
      },
      want: {
        name: '',
        image: '',
        imageId: '',
        env: [],
        labels: {},
        ports: [{ port: 1, protocol: 'sctp', bindings: [] }],
        ip: '',
        state: 'exited',
        running: false,
        exitCode: 137,
        oomKilled: true,
        error: 'boom',
        health: undefined,
        networkMode: '',
        mounts: [],
      },
    },
    {
      name: 'an unknown state and health are undefined',
      input: { Id: 'u', State: { Status: 'weird', Health: { Status: 'none' } } },
      want: { state: undefined, health: undefined, exitCode: undefined },
    },
    {
      name: 'nothing but an ID',
      input: { Id: 'bare' },
      want: { id: 'bare', state: undefined, running: false, createdAt: undefined, ports: [] },
    },
  ];
  for (const c of cases) t.match(containerFromInspect(c.input), c.want, c.name);
  t.strictSame(
    containerFromInspect({ Id: 'x', State: { Health: { Status: 'starting' } } }).health,
    'starting',
  );
});
