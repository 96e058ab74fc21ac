// ARN forms and resource IDs: newId draws from a pooled random buffer, so check its shape
// and that IDs never repeat across pool refills.
import t from 'tap';
import { newId, parseArn, taskArn } from '../src/core/arn.js';

t.test('newId: 32 hex digits, unique across several pool refills', async (t) => {
  const seen = new Set<string>();
  let bad = 0;
  for (let i = 0; i < 2000; i++) {
    const id = newId();
    if (!/^[0-9a-f]{32}$/.test(id)) bad++;
    seen.add(id);
  }
  t.equal(bad, 0, 'every ID is 32 lowercase hex digits');
  t.equal(seen.size, 2000, 'no ID repeats');
});

t.test('task ARNs round-trip', async (t) => {
  const cases = [
    { name: 'short cluster', input: { cluster: 'c', id: 'abc' } },
    { name: 'long cluster', input: { cluster: 'prod-web_1', id: newId() } },
  ];
  for (const c of cases) {
    const arn = taskArn(
      { region: 'us-east-1', accountId: '000000000000' },
      c.input.cluster,
      c.input.id,
    );
    const p = parseArn(arn);
    t.same(
      p && { kind: p.kind, cluster: p.cluster, name: p.name },
      { kind: 'task', cluster: c.input.cluster, name: c.input.id },
      c.name,
    );
  }
});
