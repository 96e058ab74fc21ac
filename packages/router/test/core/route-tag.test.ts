import t from 'tap';
import { routeFromTag } from '../../src/core/route-tag.js';
import { formatRouteCommand } from '../../src/core/route-command.js';
import { TagError } from '../../src/errors.js';
import { thrown } from '../helpers.js';

const target = { service: 'web', address: '127.0.0.1', port: 8080, tags: ['v1'] };

const good: { name: string; input: string; want: string | undefined }[] = [
  { name: 'other tag', input: 'v1', want: undefined },
  {
    name: 'path',
    input: 'urlprefix-/web',
    want: 'route add web /web http://127.0.0.1:8080/ tags "v1"',
  },
  {
    name: 'host and path, host lower-cased',
    input: 'urlprefix-Example.COM/',
    want: 'route add web example.com/ http://127.0.0.1:8080/ tags "v1"',
  },
  {
    name: 'strip and prepend',
    input: 'urlprefix-/api strip=/api prepend=/v2',
    want: 'route add web /api http://127.0.0.1:8080/ tags "v1" opts "prepend=/v2 strip=/api"',
  },
  {
    name: 'https upstream, skip verify',
    input: 'urlprefix-/s proto=https tlsskipverify=true',
    want: 'route add web /s https://127.0.0.1:8080/ tags "v1" opts "proto=https tlsskipverify=true"',
  },
  {
    name: 'host=dst',
    input: 'urlprefix-/h host=dst',
    want: 'route add web /h http://127.0.0.1:8080/ tags "v1" opts "host=dst"',
  },
  {
    name: 'redirect with $path',
    input: 'urlprefix-old.com/ redirect=301,https://new.com$path',
    want: 'route add web old.com/ https://new.com$path tags "v1" opts "redirect=301"',
  },
  {
    name: 'relative weight',
    input: 'urlprefix-/w weight=3',
    want: 'route add web /w http://127.0.0.1:8080/ tags "v1" opts "weight=3"',
  },
  {
    name: 'wildcard host',
    input: 'urlprefix-*.example.com/',
    want: 'route add web *.example.com/ http://127.0.0.1:8080/ tags "v1"',
  },
];

t.test('good tags', async (t) => {
  for (const c of good) {
    const cmd = routeFromTag(c.input, 'urlprefix-', target);
    t.equal(cmd === undefined ? undefined : formatRouteCommand(cmd), c.want, c.name);
  }
});

t.test('IPv6 instance address is bracketed', async (t) => {
  const cmd = routeFromTag('urlprefix-/', 'urlprefix-', { ...target, address: '::1' });
  t.equal(cmd?.dst, 'http://[::1]:8080/');
});

const bad: { name: string; input: string; want: RegExp }[] = [
  { name: 'no path', input: 'urlprefix-web', want: /needs \[host\]\/path/ },
  { name: 'empty', input: 'urlprefix-', want: /needs \[host\]\/path/ },
  { name: 'bad host', input: 'urlprefix-ex_ample.com/', want: /bad host/ },
  { name: 'tcp proto', input: 'urlprefix-:3306 proto=tcp', want: /needs \[host\]\/path/ },
  {
    name: 'tcp proto on path',
    input: 'urlprefix-/x proto=tcp',
    want: /proto=tcp is not supported/,
  },
  { name: 'unknown opt', input: 'urlprefix-/x auth=basic', want: /unknown option auth/ },
  { name: 'opt not k=v', input: 'urlprefix-/x strip', want: /not key=value/ },
  { name: 'strip not a path', input: 'urlprefix-/x strip=x', want: /not a \/path/ },
  { name: 'redirect bad code', input: 'urlprefix-/x redirect=200,http://a', want: /redirect=/ },
  { name: 'redirect bad url', input: 'urlprefix-/x redirect=301,ftp://a', want: /not http/ },
  { name: 'zero weight', input: 'urlprefix-/x weight=0', want: /positive/ },
  { name: 'tlsskipverify bad', input: 'urlprefix-/x tlsskipverify=yes', want: /tlsskipverify/ },
  { name: 'duplicate opt', input: 'urlprefix-/x strip=/a strip=/b', want: /twice/ },
  { name: 'bad path char', input: 'urlprefix-/x"y', want: /bad path/ },
];

t.test('bad tags name the service and the tag', async (t) => {
  for (const c of bad) {
    const err = thrown(() => routeFromTag(c.input, 'urlprefix-', target));
    t.ok(err instanceof TagError, `${c.name}: TagError`);
    t.match(err, { code: 'BERTH_ROUTER_BAD_TAG', service: 'web', tag: c.input }, c.name);
    t.match((err as Error).message, c.want, c.name);
    t.match((err as Error).message, /service web/, c.name);
  }
});

t.test('instance without address or port is refused', async (t) => {
  t.throws(() => routeFromTag('urlprefix-/', 'urlprefix-', { ...target, address: '' }), TagError);
  t.throws(() => routeFromTag('urlprefix-/', 'urlprefix-', { ...target, port: 0 }), TagError);
});

t.test('custom tag prefix', async (t) => {
  t.equal(routeFromTag('urlprefix-/x', 'edge-', target), undefined);
  t.equal(routeFromTag('edge-/x', 'edge-', target)?.src, '/x');
});
