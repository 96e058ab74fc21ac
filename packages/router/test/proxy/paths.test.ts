import t from 'tap';
import { startRouter } from '../../src/daemon/start.js';
import { MemoryRouteSource, snapshotOf } from '../../src/testing/index.js';
import { startBackend, rawOutcome } from '../helpers.js';

const echo = await startBackend('echo');
const other = await startBackend('other');
const strip = await startBackend('strip');
const router = await startRouter(
  { proxy: { host: '127.0.0.1', port: 0 }, admin: null },
  new MemoryRouteSource(
    snapshotOf({
      echo: [{ port: echo.port, tags: ['urlprefix-/echo'] }],
      other: [{ port: other.port, tags: ['urlprefix-/other', 'urlprefix-/'] }],
      strip: [{ port: strip.port, tags: ['urlprefix-/strip strip=/strip'] }],
    }),
  ),
);
const port = router.proxyAddress.port;
t.teardown(async () => {
  await router.close();
  for (const b of [echo, other, strip]) await b.close();
});

const get = async (target: string) => {
  const out = await rawOutcome(
    port,
    `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  );
  const status = Number(out.text.slice(9, 12));
  const body = out.text.slice(out.text.indexOf('\r\n\r\n') + 4);
  const json = status === 200 ? (JSON.parse(body) as { name: string; url: string }) : undefined;
  return { status, name: json?.name, url: json?.url };
};

t.test('a path names the same route to the router and to the application', async (t) => {
  const cases: {
    name: string;
    input: string;
    want: { status: number; name?: string; url?: string };
  }[] = [
    {
      name: 'dot-dot',
      input: '/echo/../other/x',
      want: { status: 200, name: 'other', url: '/other/x' },
    },
    {
      name: 'encoded dots',
      input: '/echo/%2e%2e/other',
      want: { status: 200, name: 'other', url: '/other' },
    },
    {
      name: 'upper-case encoded dots',
      input: '/echo/%2E%2E/x',
      want: { status: 200, name: 'other', url: '/x' },
    },
    {
      name: 'dot segments inside',
      input: '/echo/./a/../b',
      want: { status: 200, name: 'echo', url: '/echo/b' },
    },
    {
      name: 'above the root',
      input: '/../../echo',
      want: { status: 200, name: 'echo', url: '/echo' },
    },
    { name: 'dot-dot then encoded slash', input: '/echo/..%2fother', want: { status: 400 } },
    { name: 'encoded slash', input: '/echo/%2F..%2F..%2Fother', want: { status: 400 } },
    { name: 'backslash', input: '/echo/..\\other', want: { status: 400 } },
    { name: 'encoded backslash', input: '/echo/..%5cother', want: { status: 400 } },
    {
      name: 'query untouched',
      input: '/echo/x?a=/../%2e',
      want: { status: 200, name: 'echo', url: '/echo/x?a=/../%2e' },
    },
    {
      name: 'unreserved decoded',
      input: '/%65cho/%7Euser',
      want: { status: 200, name: 'echo', url: '/echo/~user' },
    },
  ];
  for (const c of cases) t.match(await get(c.input), c.want, c.name);
});

t.test('strip= removes whole segments only', async (t) => {
  const cases: { name: string; input: string; want: { name?: string; url?: string } }[] = [
    { name: 'the prefix itself', input: '/strip', want: { name: 'strip', url: '/' } },
    { name: 'below the prefix', input: '/strip/a/b?q', want: { name: 'strip', url: '/a/b?q' } },
    {
      name: 'a longer segment is not stripped',
      input: '/stripper',
      want: { name: 'strip', url: '/stripper' },
    },
  ];
  for (const c of cases) t.match(await get(c.input), c.want, c.name);
});
