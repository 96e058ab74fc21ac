import t from 'tap';
import {
  parseRouteCommands,
  formatRouteCommand,
  type RouteCommand,
} from '../../src/core/route-command.js';
import { RouteCommandError } from '../../src/errors.js';
import { thrown } from '../helpers.js';

const good: { name: string; input: string; want: RouteCommand }[] = [
  {
    name: 'plain add',
    input: 'route add web /web http://127.0.0.1:8080/',
    want: {
      op: 'add',
      service: 'web',
      src: '/web',
      dst: 'http://127.0.0.1:8080/',
      tags: [],
      opts: {},
    },
  },
  {
    name: 'add with host, weight, tags and opts',
    input:
      'route add web a.com/x http://127.0.0.1:1/ weight 0.5 tags "v1,blue" opts "strip=/x host=dst"',
    want: {
      op: 'add',
      service: 'web',
      src: 'a.com/x',
      dst: 'http://127.0.0.1:1/',
      weight: 0.5,
      tags: ['v1', 'blue'],
      opts: { strip: '/x', host: 'dst' },
    },
  },
  { name: 'del service', input: 'route del web', want: { op: 'del', service: 'web' } },
  {
    name: 'del service src dst',
    input: 'route del web /web http://127.0.0.1:1/',
    want: { op: 'del', service: 'web', src: '/web', dst: 'http://127.0.0.1:1/' },
  },
  {
    name: 'del service tags',
    input: 'route del web tags "v1"',
    want: { op: 'del', service: 'web', tags: ['v1'] },
  },
  { name: 'del tags', input: 'route del tags "a,b"', want: { op: 'del', tags: ['a', 'b'] } },
  {
    name: 'weight service',
    input: 'route weight web /web weight 0.2 tags "v2"',
    want: { op: 'weight', service: 'web', src: '/web', weight: 0.2, tags: ['v2'] },
  },
  {
    name: 'weight without service',
    input: 'route weight /web weight 0.1 tags "canary"',
    want: { op: 'weight', src: '/web', weight: 0.1, tags: ['canary'] },
  },
];

t.test('parses good lines', async (t) => {
  for (const c of good) {
    t.same(parseRouteCommands(c.input), [c.want], c.name);
    // canonical form parses back to the same command
    t.same(parseRouteCommands(formatRouteCommand(c.want)), [c.want], `${c.name} round trip`);
  }
});

t.test('skips comments and blank lines', async (t) => {
  const cmds = parseRouteCommands('# manual\n\n  route del web  \n');
  t.same(cmds, [{ op: 'del', service: 'web' }]);
});

const bad: { name: string; input: string; want: RegExp }[] = [
  { name: 'not a route command', input: 'foo add x', want: /starts with "route"/ },
  { name: 'unknown op', input: 'route frob x', want: /unknown command/ },
  { name: 'add missing dst', input: 'route add web /web', want: /needs <svc> <src> <dst>/ },
  { name: 'add src without slash', input: 'route add web web http://a:1/', want: /needs a \/path/ },
  { name: 'add dst not http', input: 'route add web /w tcp://a:1', want: /not an http/ },
  { name: 'weight over 1', input: 'route weight web /w weight 2', want: /\[0,1\]/ },
  { name: 'weight garbage', input: 'route weight web /w weight x', want: /not a number/ },
  { name: 'weight no tags no svc', input: 'route weight /w weight 0.5', want: /needs tags/ },
  {
    name: 'unterminated quote',
    input: 'route add web /w http://a:1/ tags "x',
    want: /unterminated/,
  },
  { name: 'opt not k=v', input: 'route add web /w http://a:1/ opts "strip"', want: /key=value/ },
  { name: 'trailing key', input: 'route add web /w http://a:1/ tags', want: /needs a value/ },
];

t.test('rejects bad lines with the line number', async (t) => {
  for (const c of bad) {
    const err = thrown(() => parseRouteCommands(`# first\n${c.input}`));
    t.ok(err instanceof RouteCommandError, `${c.name}: RouteCommandError`);
    t.match(err, { code: 'BERTH_ROUTER_BAD_COMMAND', line: 2, message: c.want }, c.name);
  }
});
