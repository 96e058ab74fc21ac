// The Docker-health mirror check against real Docker and the berth catalog: a container whose
// HEALTHCHECK flips (a file in the container decides) drives its service's
// `service:<id>:docker-health` check: critical while starting, passing on healthy, critical
// on unhealthy, passing again — with one registration only.
//
// Only containers labelled berth.test=<run id> are created, registered and removed.
import { eventually } from '@berth/daemon/testing';
import t from 'tap';
import { startCatalog } from '@berth/catalog';
import {
  TEST_IMAGE,
  TEST_LABEL,
  newRunId,
  requireDocker,
  testRun,
} from '../../../test/helpers/docker.js';
import { startRegistrator } from '../src/index.js';

interface AgentCheck {
  CheckID: string;
  Name: string;
  Status: string;
  ServiceID: string;
}

t.test('the Docker-health check follows the container health', async (t) => {
  const docker = await requireDocker(t);
  if (!docker) return;
  const run = testRun(docker, t, newRunId());
  const hostname = `hc-${run.runId}`;
  const catalog = await startCatalog({ listen: '127.0.0.1:0' });
  t.teardown(() => catalog.close());
  const running = await startRegistrator({
    consul: catalog.url,
    ip: '127.0.0.1',
    hostname,
    labelFilter: [{ key: TEST_LABEL, value: run.runId }],
    resync: 0,
    consulProbe: 0,
    retryInterval: 50,
  });
  t.teardown(() => running.close());
  const r = running.registrator;
  const registers: string[] = [];
  r.on('register', (e) => registers.push(e.id));
  await running.synced;

  const name = `health-${run.runId}`;
  const c = await docker.createContainer({
    Image: TEST_IMAGE,
    name,
    Labels: { [TEST_LABEL]: run.runId },
    Env: ['SERVICE_NAME=flip'],
    ExposedPorts: { '8080/tcp': {} },
    HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '', HostPort: '' }] } },
    Healthcheck: {
      Test: ['CMD-SHELL', 'test -f /tmp/ok'],
      Interval: 200_000_000,
      Timeout: 1_000_000_000,
      Retries: 1,
    },
  });
  await c.start();
  const id = `${hostname}:${name}:8080`;
  const checkId = `service:${id}:docker-health`;
  const check = async (): Promise<AgentCheck | undefined> => {
    const res = await fetch(`${catalog.url}/v1/agent/checks`);
    return ((await res.json()) as Record<string, AgentCheck>)[checkId];
  };
  const sh = async (cmd: string): Promise<void> => {
    const exec = await c.exec({ Cmd: ['sh', '-c', cmd] });
    const stream = await exec.start({});
    await new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.resume();
    });
  };
  const passing = async (): Promise<number> => {
    const res = await fetch(`${catalog.url}/v1/health/service/flip?passing=1`);
    return ((await res.json()) as unknown[]).length;
  };

  await eventually('registered with the mirror check', async () => (await check()) !== undefined, {
    timeoutMs: 15_000,
  });
  const first = await check();
  t.match(first, { Name: 'Docker health', ServiceID: id, Status: 'critical' }, 'critical at start');
  t.equal(await passing(), 0, 'not passing while starting');

  // Docker's health follows /tmp/ok in the container; the check must follow Docker.
  const steps = [
    { name: 'passing once Docker says healthy', cmd: 'touch /tmp/ok', want: 'passing' },
    { name: 'critical once Docker says unhealthy', cmd: 'rm /tmp/ok', want: 'critical' },
    { name: 'passing again', cmd: 'touch /tmp/ok', want: 'passing' },
  ];
  for (const step of steps) {
    await sh(step.cmd);
    await eventually(step.name, async () => (await check())?.Status === step.want, {
      timeoutMs: 15_000,
    });
    t.equal(await passing(), step.want === 'passing' ? 1 : 0, step.name);
  }

  await r.requestReconcile('manual');
  t.equal((await check())?.Status, 'passing', 'a resync does not reset it');
  t.same(registers, [id], 'registered exactly once: health flips are check updates');

  await c.remove({ force: true });
  await eventually('deregistered', async () => (await check()) === undefined, {
    timeoutMs: 15_000,
  });
});
