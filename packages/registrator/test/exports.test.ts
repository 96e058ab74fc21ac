// Issue 16: the in-memory fakes are exported from `@berth/registrator/testing` only, never from the
// production entry point.
import { readFileSync } from 'node:fs';
import t from 'tap';
import * as api from '../src/index.js';
import * as testing from '../src/testing/index.js';

const FAKES = ['MemoryRuntime', 'MemoryRegistry'];

t.test('fakes: in ./testing, not in the main entry point', async (t) => {
  for (const name of FAKES) {
    t.notOk(name in api, `${name} is not exported from index.ts`);
    t.ok(name in testing, `${name} is exported from testing/`);
  }
});

t.test('package.json exports ./testing', async (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    exports: Record<string, { default?: string }>;
  };
  t.equal(pkg.exports['./testing']?.default, './dist/testing/index.js');
});
