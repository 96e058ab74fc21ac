// Tests for the Docker test helpers: the pure port lookup, the CI/skip decision against a real
// missing socket, and run-scoped container creation and cleanup against the real engine.
import t from 'tap';
import type Docker from 'dockerode';
import {
  TEST_LABEL,
  createTestContainer,
  dockerAvailable,
  dockerStatus,
  hostPortOf,
  removeTestContainers,
  requireDocker,
  testRun,
  type DockerGate,
} from './docker.js';
import { waitForHttp } from './wait-for-http.js';

t.test('hostPortOf', async (t) => {
  const cases: { name: string; input: Docker.PortMap | null; want: number | RegExp }[] = [
    {
      name: 'IPv4 binding preferred over IPv6',
      input: {
        '8080/tcp': [
          { HostIp: '::', HostPort: '49154' },
          { HostIp: '0.0.0.0', HostPort: '49153' },
        ],
      },
      want: 49153,
    },
    {
      name: 'loopback binding',
      input: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '32768' }] },
      want: 32768,
    },
    {
      name: 'another port published, not this one',
      input: { '80/tcp': [{ HostIp: '', HostPort: '32769' }] },
      want: /8080\/tcp is not published/,
    },
    {
      name: 'only IPv6',
      input: { '8080/tcp': [{ HostIp: '::', HostPort: '40000' }] },
      want: 40000,
    },
    { name: 'not published', input: { '8080/tcp': [] }, want: /not published/ },
    { name: 'no ports at all', input: null, want: /not published/ },
    {
      name: 'garbage port',
      input: { '8080/tcp': [{ HostIp: '', HostPort: 'x' }] },
      want: /not published/,
    },
  ];
  for (const c of cases) {
    if (typeof c.want === 'number') {
      t.equal(hostPortOf(c.input, 8080), c.want, c.name);
    } else {
      t.throws(() => hostPortOf(c.input, 8080), c.want, c.name);
    }
  }
});

/** Records what requireDocker does to a test, so the CI and non-CI verdicts can be checked. */
function recorder(): DockerGate & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fail: (m: string) => calls.push(`fail ${m}`),
    plan: (n: number, c?: string) => calls.push(`plan ${n} ${c ?? ''}`),
    comment: (...m: unknown[]) => calls.push(`comment ${m.join(' ')}`),
  };
}

t.test('requireDocker without an engine (a socket that does not exist)', async (t) => {
  const dockerOptions = { socketPath: '/nonexistent/berth-test/docker.sock' };
  const status = await dockerStatus({ dockerOptions });
  t.equal(status.ok, false, 'the probe reports the engine missing');
  t.match(status.ok ? '' : status.reason, /does not answer.*ENOENT.*scripts\/ensure-docker/);
  t.equal(await dockerAvailable({ dockerOptions }), false, 'dockerAvailable agrees');

  const cases = [
    {
      name: 'in CI it fails the test',
      input: { ci: true },
      want: /^fail Docker is required in CI: /m,
    },
    {
      name: 'outside CI it skips with the reason',
      input: { ci: false },
      want: /^plan 0 no Docker: /m,
    },
  ];
  for (const c of cases) {
    const gate = recorder();
    const docker = await requireDocker(gate, { dockerOptions, ...c.input });
    t.equal(docker, undefined, `${c.name}: no client`);
    t.match(gate.calls.join('\n'), c.want, c.name);
    t.notMatch(gate.calls.join('\n'), c.input.ci ? /^plan/m : /^fail/m, `${c.name}: and only that`);
  }
});

t.test('requireDocker names a missing image and how to build it', async (t) => {
  const status = await dockerStatus({ image: 'berth/does-not-exist:never' });
  if (!status.ok && /does not answer/.test(status.reason)) {
    // No engine at all: the image check cannot run; requireDocker decides (fail in CI).
    await requireDocker(t);
    return;
  }
  t.equal(status.ok, false, 'a missing image makes Docker unavailable for the test');
  t.match(
    status.ok ? '' : status.reason,
    /berth\/does-not-exist:never is missing.*build-test-images/,
  );
});

t.test('a test run creates labelled containers and removes only its own', async (t) => {
  const docker = await requireDocker(t);
  if (!docker) return;
  const mine = testRun(docker, t);
  const other = testRun(docker, t);

  const web = await mine.createContainer({
    env: { MESSAGE: 'mine' },
    ports: [8080],
    hostIp: '127.0.0.1',
  });
  const sleeper = await mine.createContainer({ cmd: ['sleep', '30'] });
  const theirs = await other.createContainer({ cmd: ['sleep', '30'] });
  const notStarted = await createTestContainer(docker, mine.runId, { start: false, cmd: ['true'] });

  const port = await web.hostPort(8080);
  const answer = await waitForHttp(`http://127.0.0.1:${port}/`);
  t.match(answer.body, /^MESSAGE=mine$/m, 'the container got its env');
  t.equal((await sleeper.container.inspect()).State.Running, true, 'usable as `sleep`');
  t.equal(
    (await notStarted.container.inspect()).State.Status,
    'created',
    'start: false creates only',
  );
  t.equal((await theirs.container.inspect()).Config.Labels[TEST_LABEL], other.runId, 'labelled');

  t.equal(await mine.cleanup(), 3, 'cleanup removed the three containers of its run');
  const left = await docker.listContainers({ all: true, filters: { label: [TEST_LABEL] } });
  const ids = left.map((c) => c.Id);
  t.notOk(
    ids.includes(web.id) || ids.includes(sleeper.id) || ids.includes(notStarted.id),
    'mine are gone',
  );
  t.ok(ids.includes(theirs.id), "the other run's container is untouched");
  t.equal(await removeTestContainers(docker, mine.runId), 0, 'a second cleanup finds nothing');
  t.equal(await other.cleanup(), 1, 'the other run cleans up its own');
});
