// Table-driven tests of the filter language: which items an expression keeps.
import t from 'tap';
import { compileFilter } from '../src/core/filter/index.js';

// Shapes as the catalog serialises them (CheckServiceNode, agent service, KV-ish scalars).
const web = {
  Node: { Node: 'node1', Address: '127.0.0.1', Meta: { rack: 'r1', 'k-1': 'dash' } },
  Service: {
    ID: 'web-1',
    Service: 'web',
    Tags: ['v1', 'primary', 'urlprefix-/web'],
    Port: 8080,
    Meta: { env: 'prod', version: '1.2.3' },
    EnableTagOverride: false,
    Weights: { Passing: 1, Warning: 1 },
    Address: '',
  },
  Checks: [
    { CheckID: 'serfHealth', Status: 'passing', ServiceTags: [] },
    { CheckID: 'service:web-1', Status: 'critical', ServiceTags: ['v1'] },
  ],
  Flags: 3304740253564472344n,
  Nothing: null,
};
const api = {
  Node: { Node: 'node2', Address: '127.0.0.2', Meta: {} },
  Service: {
    ID: 'api-1',
    Service: 'api',
    Tags: [],
    Port: 9090,
    Meta: {},
    EnableTagOverride: true,
    Weights: { Passing: 3, Warning: 1 },
    Address: '127.0.0.9',
  },
  Checks: [{ CheckID: 'serfHealth', Status: 'passing', ServiceTags: [] }],
  Flags: 0n,
  Nothing: null,
};
const items = { web, api };

type Name = keyof typeof items;
const cases: { name: string; input: string; want: Name[] }[] = [
  { name: 'equal on a string field', input: 'Service.Service == web', want: ['web'] },
  { name: 'equal with a quoted value', input: 'Service.Service == "api"', want: ['api'] },
  { name: 'equal with a raw string', input: 'Service.ID == `web-1`', want: ['web'] },
  { name: 'not equal', input: 'Service.Service != web', want: ['api'] },
  { name: 'equal on a number', input: 'Service.Port == 8080', want: ['web'] },
  { name: 'number written as a string', input: 'Service.Port == "9090"', want: ['api'] },
  { name: 'number that is no number', input: 'Service.Port == abc', want: [] },
  { name: 'not equal on a number', input: 'Service.Port != 8080', want: ['api'] },
  { name: 'float compared with an int', input: 'Service.Weights.Passing == 3.0', want: ['api'] },
  { name: 'boolean true', input: 'Service.EnableTagOverride == true', want: ['api'] },
  { name: 'boolean Go spelling', input: 'Service.EnableTagOverride == F', want: ['web'] },
  { name: 'boolean garbage', input: 'Service.EnableTagOverride == yes', want: [] },
  { name: 'uint64 bigint', input: 'Flags == 3304740253564472344', want: ['web'] },
  { name: 'value in list', input: 'v1 in Service.Tags', want: ['web'] },
  { name: 'quoted value in list', input: '"urlprefix-/web" in Service.Tags', want: ['web'] },
  { name: 'value not in list', input: 'v1 not in Service.Tags', want: ['api'] },
  { name: 'list contains', input: 'Service.Tags contains primary', want: ['web'] },
  { name: 'list not contains', input: 'Service.Tags not contains primary', want: ['api'] },
  { name: 'string contains substring', input: 'Service.ID contains "-1"', want: ['web', 'api'] },
  { name: 'substring in string', input: '"eb" in Service.Service', want: ['web'] },
  { name: 'map has key', input: 'Service.Meta contains env', want: ['web'] },
  { name: 'key in map', input: 'version in Service.Meta', want: ['web'] },
  { name: 'map field by dot', input: 'Service.Meta.env == prod', want: ['web'] },
  { name: 'map field by index', input: 'Node.Meta["k-1"] == dash', want: ['web'] },
  { name: 'index with raw string', input: 'Node.Meta[`rack`] == r1', want: ['web'] },
  { name: 'missing map key ==', input: 'Service.Meta.env == prod', want: ['web'] },
  { name: 'missing map key !=', input: 'Service.Meta.env != prod', want: ['api'] },
  { name: 'missing field is empty', input: 'Service.Meta.zone is empty', want: ['web', 'api'] },
  { name: 'missing field is not empty', input: 'Service.Meta.zone is not empty', want: [] },
  { name: 'missing top-level field', input: 'Nope == x', want: [] },
  { name: 'missing field negated', input: 'Nope != x', want: ['web', 'api'] },
  { name: 'walk through a scalar', input: 'Service.Port.X == 1', want: [] },
  { name: 'empty list', input: 'Service.Tags is empty', want: ['api'] },
  { name: 'non-empty list', input: 'Service.Tags is not empty', want: ['web'] },
  { name: 'empty map', input: 'Service.Meta is empty', want: ['api'] },
  { name: 'empty string', input: 'Service.Address is empty', want: ['web'] },
  { name: 'null is empty', input: 'Nothing is empty', want: ['web', 'api'] },
  { name: 'null equals nothing', input: 'Nothing == ""', want: [] },
  { name: 'list == is no match', input: 'Service.Tags == v1', want: [] },
  { name: 'matches', input: 'Service.Service matches "^w"', want: ['web'] },
  { name: 'matches is unanchored', input: 'Service.ID matches "i-"', want: ['api'] },
  { name: 'not matches', input: 'Service.Service not matches "^w"', want: ['api'] },
  { name: 'matches inline flag', input: 'Service.Service matches "(?i)^WEB$"', want: ['web'] },
  { name: 'matches on a number', input: 'Service.Port matches "80"', want: [] },
  { name: 'any element of a list', input: 'Checks.Status == critical', want: ['web'] },
  { name: 'any element differs', input: 'Checks.Status != passing', want: ['web'] },
  { name: 'no element equal', input: 'not Checks.Status == critical', want: ['api'] },
  { name: 'nested list in list', input: 'v1 in Checks.ServiceTags', want: ['web'] },
  { name: 'list element by index', input: 'Checks.1.Status == critical', want: ['web'] },
  { name: 'index out of range', input: 'Checks.5.Status == critical', want: [] },
  { name: 'and', input: 'Service.Port == 8080 and v1 in Service.Tags', want: ['web'] },
  { name: 'or', input: 'Service.Service == web or Service.Service == api', want: ['web', 'api'] },
  { name: 'not', input: 'not Service.Service == web', want: ['api'] },
  { name: 'not not', input: 'not not Service.Service == web', want: ['web'] },
  {
    name: 'and binds tighter than or',
    input: 'Service.Service == api or Service.Service == web and Service.Port == 1',
    want: ['api'],
  },
  {
    name: 'parentheses',
    input: '(Service.Service == api or Service.Service == web) and Service.Port == 8080',
    want: ['web'],
  },
  {
    name: 'not of a group',
    input: 'not (Service.Service == api or Service.Port == 1)',
    want: ['web'],
  },
  { name: 'whole expression in parentheses', input: ' ( Service.Port==9090 ) ', want: ['api'] },
  { name: 'no spaces around ==', input: 'Service.Service==web', want: ['web'] },
  { name: 'escapes in strings', input: 'Service.Service == "w\\x65b"', want: ['web'] },
  { name: 'unicode escape', input: 'Service.Service == "\\u0061pi"', want: ['api'] },
  { name: 'negative number', input: 'Service.Port == -1', want: [] },
  {
    name: 'prototype keys are not fields',
    input: 'Service.Meta.constructor is empty',
    want: ['web', 'api'],
  },
  { name: 'map key check ignores prototype', input: 'toString in Service.Meta', want: [] },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const keep = compileFilter(c.input);
    const got = (Object.keys(items) as Name[]).filter((k) => keep(items[k]));
    t.same(got, c.want, c.input);
  });
}

t.test('a compiled filter never throws on odd values', async (t) => {
  const keep = compileFilter('Service.Tags contains v1 and Service.Meta.env is empty');
  for (const v of [null, undefined, 1, 'x', [], [1, 2], { Service: null }, { Service: 'x' }]) {
    t.equal(keep(v), false, JSON.stringify(v) ?? 'undefined');
  }
});
