import { snapshotOf } from '../../src/testing/index.js';
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { routesFromSnapshot } from '../../src/core/snapshot-routes.js';

const golden = new URL('./golden/snapshot-routes.txt', import.meta.url);

t.test('snapshot -> sorted route commands (golden)', async (t) => {
  const snap = snapshotOf({
    web: [
      { port: 8081, tags: ['urlprefix-/web', 'urlprefix-www.example.com/', 'v2'] },
      { port: 8080, tags: ['urlprefix-/web', 'v1'] },
      { port: 8082, tags: ['urlprefix-/web'], status: 'critical' },
      { port: 8083, tags: ['urlprefix-/web'], status: 'warning' },
    ],
    api: [
      {
        port: 9000,
        tags: ['urlprefix-/api strip=/api prepend=/v1 host=dst'],
        address: '127.0.0.2',
      },
      { port: 9001, tags: ['urlprefix-/api proto=tcp', 'urlprefix-:3306', 'other'] },
    ],
    old: [
      { port: 1, tags: ['urlprefix-old.example.com/ redirect=308,https://new.example.com$path'] },
    ],
    v6: [{ port: 7000, tags: ['urlprefix-/six'], address: '::1' }],
    plain: [{ port: 5000, tags: ['no-routes-here'] }],
    // every instance down: the source stays known, marked, so it is not a catch-all's
    down: [
      { port: 6000, tags: ['urlprefix-/down'], status: 'critical' },
      { port: 6001, tags: ['urlprefix-/down'], maintenance: true },
    ],
  });
  const got = routesFromSnapshot(snap, 'urlprefix-');
  const text = got.lines.join('\n') + '\n';
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, text);
  t.equal(text, readFileSync(golden, 'utf8'), 'matches golden file');
  t.same(
    got.warnings.map((w) => w.message),
    [
      'service api: tag "urlprefix-/api proto=tcp": proto=tcp is not supported (http or https)',
      'service api: tag "urlprefix-:3306": needs [host]/path',
    ],
    'bad tags are warnings naming service and tag',
  );
  // the same input gives the same text (the builder can skip identical inputs)
  t.same(routesFromSnapshot(snap, 'urlprefix-').lines, got.lines);
});
