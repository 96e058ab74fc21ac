// KV key validation as Consul 1.21.6+/1.22 (#22850), not the 1.21.5 regex.
import t from 'tap';
import { kvKeyProblem } from '../src/core/kv-key.js';

t.test('kvKeyProblem', async (t) => {
  const cases = [
    { name: 'plain', input: 'a/b/c', want: false },
    { name: 'trailing slash (a folder)', input: 'a/b/', want: false },
    { name: 'dots in names', input: 'a/..b/c..', want: false },
    { name: 'single dot segment', input: 'a/./b', want: false },
    { name: 'colons and hashes', input: 'svc:web#1', want: false },
    { name: 'unicode', input: 'ключ/値', want: false },
    { name: 'inner spaces', input: 'a b/c d', want: false },
    { name: 'dot-dot segment', input: 'a/../b', want: true },
    { name: 'only dot-dot', input: '..', want: true },
    { name: 'percent-encoded dot-dot', input: 'a/%2e%2e/b', want: true },
    { name: 'double-encoded dot-dot', input: 'a/%252E%252E/b', want: true },
    { name: 'encoded slash hides dot-dot', input: 'a%2F..%2Fb', want: true },
    { name: 'backslash dot-dot', input: 'a\\..\\b', want: true },
    { name: 'leading slash', input: '/a', want: true },
    { name: 'leading space', input: ' a', want: true },
    { name: 'trailing space', input: 'a ', want: true },
  ];
  for (const c of cases) t.equal(kvKeyProblem(c.input) !== undefined, c.want, c.name);
});
