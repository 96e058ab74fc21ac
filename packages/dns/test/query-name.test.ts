// parseQueryName: Consul's prepared query name forms (agent/dns.go "query"), table-tested.
import t from 'tap';
import { parseQueryName, type QueryName } from '@berth/dns';

const domains = ['consul', 'alt.example'];
const cases: [string, QueryName | undefined][] = [
  ['web.query.consul', { query: 'web', dc: '', domain: 0 }],
  ['web.query.dc1.consul', { query: 'web', dc: 'dc1', domain: 0 }],
  ['geo-db-x.query.alt.example', { query: 'geo-db-x', dc: '', domain: 1 }],
  // Query names may hold dots: the labels are joined.
  ['a.b.query.consul', { query: 'a.b', dc: '', domain: 0 }],
  // RFC 2782: `_<query>._<proto>`, the protocol ignored.
  ['_web._tcp.query.consul', { query: 'web', dc: '', domain: 0 }],
  ['_web._udp.query.dc1.consul', { query: 'web', dc: 'dc1', domain: 0 }],
  ['_a.b._tcp.query.consul', { query: 'a.b', dc: '', domain: 0 }],
  // Only the first label starts with `_`: a plain name.
  ['_web.tcp.query.consul', { query: '_web.tcp', dc: '', domain: 0 }],
  [
    '4e3b1c0a-0000-4000-8000-000000000001.query.consul',
    {
      query: '4e3b1c0a-0000-4000-8000-000000000001',
      dc: '',
      domain: 0,
    },
  ],
  ['query.consul', undefined],
  ['query.dc1.consul', undefined],
  ['web.service.consul', undefined],
  ['web.query.dc1.extra.consul', undefined],
  ['web.query.example', undefined],
  ['web.query.consul.evil', undefined],
];

for (const [name, want] of cases) {
  t.strictSame(parseQueryName(name, domains), want, name);
}
