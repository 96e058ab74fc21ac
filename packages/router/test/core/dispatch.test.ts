import t from 'tap';
import { dispatch, type DispatchRules } from '../../src/core/dispatch.js';
import { parseRequestHead } from '../../src/core/request-head.js';
import { parseRouteCommands } from '../../src/core/route-command.js';
import { buildTable } from '../../src/core/route-table.js';
import { upstreamHead } from '../../src/core/upstream-request.js';

const table = buildTable(
  parseRouteCommands(
    [
      'route add web /web http://127.0.0.1:1/ opts "strip=/web prepend=/v1 host=dst"',
      'route add down /down http://127.0.0.1:2/ opts "status=critical"',
      'route add old /old https://new.example$path opts "redirect=301 strip=/old"',
      'route add all / http://127.0.0.1:3/',
    ].join('\n'),
  ),
);
const rules: DispatchRules = { strategy: 'rr', noRouteStatus: 404, allowTrace: false };
const req = (line: string) => parseRequestHead(`${line} HTTP/1.1\r\nHost: app.example`);

t.test('what a request gets', async (t) => {
  const cases: { name: string; input: string; want: Record<string, unknown> }[] = [
    { name: 'a route', input: 'GET /web/x', want: { kind: 'proxy', route: { src: '/web' } } },
    {
      name: 'all instances down: 503, never the catch-all',
      input: 'POST /down/secret',
      want: { kind: 'local', status: 503, extra: 'Retry-After: 5\r\n' },
    },
    {
      name: 'a redirect keeps the stripped path and the query',
      input: 'GET /old/page?x=1',
      want: { kind: 'local', status: 301, extra: 'Location: https://new.example/page?x=1\r\n' },
    },
    { name: 'TRACE is refused', input: 'TRACE /web', want: { kind: 'local', status: 405 } },
  ];
  for (const c of cases) t.match(dispatch(req(c.input), table, rules, 0), c.want, c.name);
  t.match(
    dispatch(req('GET /x'), buildTable([]), rules, 0),
    { kind: 'local', status: 404 },
    'no route',
  );
  t.match(dispatch(req('TRACE /web'), table, { ...rules, allowTrace: true }, 0), { kind: 'proxy' });
});

t.test('the upstream head', async (t) => {
  const head = parseRequestHead(
    'POST /web/a?q=1 HTTP/1.0\r\nHost: app.example\r\nContent-Length: 3\r\nConnection: keep-alive\r\nX-Kept: 1',
  );
  const d = dispatch(head, table, rules, 0);
  if (d.kind !== 'proxy') throw new Error('not proxied');
  t.equal(
    upstreamHead(head, d.target, 'X-Forwarded-For: 127.0.0.1\r\n'),
    'POST /v1/a?q=1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\nX-Kept: 1\r\nX-Forwarded-For: 127.0.0.1\r\n' +
      'Content-Length: 3\r\n\r\n',
    'HTTP/1.1, stripped and prepended, host=dst, no Connection',
  );
});
