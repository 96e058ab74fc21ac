// Issue 2: proves the Docker test host from Node. With dockerode it creates and starts a
// container of berth/busybox:test with a random host port, fetches its page on
// 127.0.0.1:<hostPort>, checks the page names the container and the env it was given, and
// removes the container. Runs (never skips) in CI; skips with the fix outside CI without Docker.
//
// It must never touch containers other than its own (label berth.test=<run id>).
import t from 'tap';
import { randomBytes } from 'node:crypto';
import {
  TEST_IMAGE,
  TEST_LABEL,
  newRunId,
  removeTestContainers,
  requireDocker,
} from './helpers/docker.js';
import { waitForHttp } from './helpers/wait-for-http.js';

t.test('issue 2: a test-image container answers on a random host port', async (t) => {
  const docker = await requireDocker(t);
  if (!docker) return;
  const runId = newRunId();
  t.teardown(() => removeTestContainers(docker, runId));

  const message = `hello from ${runId} ${randomBytes(3).toString('hex')}`;
  const container = await docker.createContainer({
    Image: TEST_IMAGE,
    Env: [`MESSAGE=${message}`],
    Labels: { [TEST_LABEL]: runId },
    ExposedPorts: { '8080/tcp': {} },
    HostConfig: { PortBindings: { '8080/tcp': [{ HostPort: '' }] } },
  });
  await container.start();

  const info = await container.inspect();
  const bindings = info.NetworkSettings.Ports['8080/tcp'] ?? [];
  const hostPort = Number(bindings.find((b) => !(b.HostIp ?? '').includes(':'))?.HostPort);
  t.ok(hostPort > 0 && hostPort <= 65535, `Docker chose a host port (${hostPort})`);
  const hostname = info.Config.Hostname;
  t.match(hostname, /^[0-9a-f]{12}$/, 'the container has its short-id hostname');

  const answer = await waitForHttp(`http://127.0.0.1:${hostPort}/some/path?q=1`, {
    timeoutMs: 20_000,
  });
  t.equal(answer.status, 200, 'any path answers 200');
  t.equal(answer.headers.get('x-berth-hostname'), hostname, 'the header names the container');
  const page = answer.body.split('\n');
  const cases = [
    { name: 'hostname line', want: `hostname: ${hostname}` },
    { name: 'request path', want: 'path: /some/path?q=1' },
    { name: 'env given to the container', want: `MESSAGE=${message}` },
    { name: 'env set by Docker', want: `HOSTNAME=${hostname}` },
  ];
  for (const c of cases) t.ok(page.includes(c.want), `${c.name}: page has "${c.want}"`);

  await container.remove({ force: true, v: true });
  const left = await docker.listContainers({
    all: true,
    filters: { label: [`${TEST_LABEL}=${runId}`] },
  });
  t.same(left, [], 'the container is gone');
});
