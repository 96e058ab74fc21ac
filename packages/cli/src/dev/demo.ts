/**
 * The demo `berth dev --demo` shows: three containers of the test image labelled for the
 * registrator as service `hello` with tag `urlprefix-/hello`, then proof that discovery works
 * (three requests through the router answered by three containers, DNS SRV answers). It only
 * touches containers carrying its own label.
 */

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Docker from 'dockerode';

const run = promisify(execFile);

export const DEMO_IMAGE = 'berth/busybox:test';
export const DEMO_LABEL = 'berth.dev.demo';

export interface DemoOptions {
  readonly docker: Docker;
  /** Value of the demo label, unique per `berth dev` (its simulated host name). */
  readonly owner: string;
  readonly count: number;
  readonly say: (line: string) => void;
}

/** Removes every container that carries the demo label of `owner`; returns their names. */
export async function removeDemoContainers(docker: Docker, owner: string): Promise<string[]> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`${DEMO_LABEL}=${owner}`] },
  });
  await Promise.all(list.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  return list.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, ''));
}

/** Starts the demo containers and returns their names. */
export async function startDemoContainers(options: DemoOptions): Promise<string[]> {
  const { docker, owner, count, say } = options;
  try {
    await docker.getImage(DEMO_IMAGE).inspect();
  } catch {
    throw new Error(`image ${DEMO_IMAGE} is missing: run 'bash scripts/build-test-images' first`);
  }
  await removeDemoContainers(docker, owner);
  const names: string[] = [];
  for (let i = 1; i <= count; i++) {
    const name = `berth-demo-hello-${owner}-${i}`;
    const container = await docker.createContainer({
      name,
      Image: DEMO_IMAGE,
      Hostname: `hello-${i}`,
      Labels: { [DEMO_LABEL]: owner, 'berth.dev.host': owner },
      Env: [
        'SERVICE_NAME=hello',
        'SERVICE_TAGS=urlprefix-/hello',
        'SERVICE_CHECK_HTTP=/health',
        'SERVICE_CHECK_INTERVAL=1s',
        `MESSAGE=hello from berth demo container ${i}`,
      ],
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
    });
    await container.start();
    names.push(name);
  }
  say(`started ${count} containers of ${DEMO_IMAGE}: ${names.join(', ')}`);
  return names;
}

/** Requests `url` until `want` different containers answered, or the deadline passes. */
export async function waitRoutable(
  url: string,
  want: number,
  timeoutMs: number,
): Promise<{ host: string; firstLine: string }[]> {
  const deadline = Date.now() + timeoutMs;
  const seen = new Map<string, string>();
  while (Date.now() < deadline && seen.size < want) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      const body = await res.text();
      const host = res.headers.get('x-berth-hostname');
      if (res.status === 200 && host) seen.set(host, body.split('\n', 1)[0] ?? '');
    } catch {
      // not routable yet
    }
    if (seen.size < want) await new Promise((r) => setTimeout(r, 100));
  }
  return [...seen].map(([host, firstLine]) => ({ host, firstLine }));
}

/** Shows three requests through the router and the DNS SRV answer, as a user would run them. */
export async function showDemo(
  urls: { proxy: string; dnsHost: string; dnsPort: number },
  say: (line: string) => void,
): Promise<void> {
  say(`$ curl -s ${urls.proxy}/hello   (three times)`);
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${urls.proxy}/hello`, { signal: AbortSignal.timeout(2000) });
    const body = await res.text();
    say(`  ${res.status} from ${res.headers.get('x-berth-hostname')}: ${body.split('\n', 1)[0]}`);
  }
  const digArgs = [`@${urls.dnsHost}`, '-p', String(urls.dnsPort), 'hello.service.consul', 'SRV'];
  say(`$ dig ${digArgs.join(' ')} +noall +answer +additional`);
  try {
    const { stdout } = await run(
      'dig',
      [...digArgs, '+noall', '+answer', '+additional', '+time=2'],
      {
        timeout: 5000,
      },
    );
    for (const line of stdout.trim().split('\n')) say(`  ${line}`);
  } catch (err) {
    say(`  (dig failed: ${(err as Error).message.split('\n', 1)[0]}; install dnsutils)`);
  }
}
