// Issue 17: Consul's ACL rules (HCL and JSON) and their evaluation: exact before prefix, the
// longest prefix wins, deny > write > list > read when policies merge, the default policy for
// what no rule names, ACL management never granted by default.
import t from 'tap';
import { Authorizer } from '../src/core/acl/authorizer.js';
import { mergeRules, parseRules } from '../src/core/acl/rules.js';

const HCL = `
# comments and blocks, as Consul writes them
key_prefix "" { policy = "read" }
key_prefix "app/" {
  policy = "write"
}
key "app/secret" { policy = "deny" }
key_prefix "app/private/" { policy = "deny" }
service_prefix "web" { policy = "write" }
service "web-admin" { policy = "read" }
node_prefix "" { policy = "read" }
session_prefix "" { policy = "write" }
operator = "read" // trailing comment
/* block comment */
query_prefix "q-" { policy = "write" }
`;

t.test('HCL rules, longest match', async (t) => {
  const a = new Authorizer(parseRules(HCL), false, false);
  const cases = [
    { name: 'prefix read', input: () => a.keyRead('other'), want: true },
    { name: 'prefix not write', input: () => a.keyWrite('other'), want: false },
    { name: 'longer prefix write', input: () => a.keyWrite('app/x'), want: true },
    { name: 'exact deny beats prefix write', input: () => a.keyRead('app/secret'), want: false },
    { name: 'exact is exact', input: () => a.keyWrite('app/secret2'), want: true },
    { name: 'deeper prefix deny', input: () => a.keyRead('app/private/k'), want: false },
    { name: 'service prefix write', input: () => a.serviceWrite('web-1'), want: true },
    { name: 'exact service read only', input: () => a.serviceWrite('web-admin'), want: false },
    { name: 'exact service read', input: () => a.serviceRead('web-admin'), want: true },
    { name: 'unnamed service: default deny', input: () => a.serviceRead('db'), want: false },
    { name: 'node read', input: () => a.nodeRead('n1'), want: true },
    { name: 'node write denied', input: () => a.nodeWrite('n1'), want: false },
    { name: 'session write', input: () => a.sessionWrite('n1'), want: true },
    { name: 'operator read', input: () => a.operatorRead(), want: true },
    { name: 'operator write', input: () => a.operatorWrite(), want: false },
    { name: 'query prefix', input: () => a.queryWrite('q-a'), want: true },
    { name: 'acl never by default', input: () => a.aclRead(), want: false },
    {
      name: 'prefix write blocked by a deny below',
      input: () => a.keyWritePrefix('app/'),
      want: false,
    },
    {
      name: 'prefix write without rules below',
      input: () => a.keyWritePrefix('app/x/'),
      want: true,
    },
  ];
  for (const c of cases) t.equal(c.input(), c.want, c.name);
});

t.test('JSON rules (node-consul acceptance acl.js shape) and the default policy', async (t) => {
  const json = JSON.stringify({
    key: { '': { policy: 'read' }, 'rw/': { policy: 'write' }, 'deny/': { policy: 'deny' } },
  });
  const deny = new Authorizer(parseRules(json), false, false);
  t.equal(deny.keyRead(''), true, 'exact "" rule');
  t.equal(deny.keyRead('x'), false, '`key` is exact since Consul 1.4');
  t.equal(deny.keyWrite('rw/'), true);
  const allow = new Authorizer(parseRules(json), false, true);
  t.equal(allow.keyRead('x'), true, 'default allow');
  t.equal(allow.keyWrite('deny/'), false, 'an explicit deny holds under default allow');
  t.equal(allow.aclWrite(), false, 'default allow never grants acl');
  const mgmt = new Authorizer(parseRules(''), true, false);
  t.equal(mgmt.aclWrite() && mgmt.keyWrite('deny/') && mgmt.operatorWrite(), true);
});

t.test('merging policies: the stronger level wins per rule', async (t) => {
  const merged = mergeRules([
    parseRules('key_prefix "a/" { policy = "write" }\nservice "s" { policy = "read" }'),
    parseRules('key_prefix "a/" { policy = "deny" }\nservice "s" { policy = "write" }'),
    parseRules('key_prefix "b/" { policy = "list" }'),
  ]);
  const a = new Authorizer(merged, false, false);
  t.equal(a.keyRead('a/x'), false, 'deny beats write');
  t.equal(a.serviceWrite('s'), true, 'write beats read');
  t.equal(a.keyList('b/'), true, 'list');
  t.equal(a.keyWrite('b/x'), false, 'list is not write');
});

t.test('rules that cannot be read are refused', async (t) => {
  const cases = [
    { name: 'bad level', input: 'key_prefix "" { policy = "rw" }' },
    { name: 'list outside keys', input: 'service_prefix "" { policy = "list" }' },
    { name: 'unknown resource', input: 'bucket "" { policy = "read" }' },
    { name: 'unterminated block', input: 'key_prefix "" { policy = "read"' },
    { name: 'no policy', input: 'key_prefix "" { }' },
  ];
  for (const c of cases) t.throws(() => parseRules(c.input), { name: 'RulesError' }, c.name);
});
