// Issue 4, point 1 and 5: registrator's service model as a pure function. Every SERVICE_*
// metadata case, table-driven: { name, input: container + options, want: services + warnings }.
// A malformed value must drop only the bad part and warn with the container and the key.
import t from 'tap';
import {
  type ContainerInfo,
  type ContainerPort,
  type MappingOptions,
  type ServiceRegistration,
  containerToServices,
  imageBaseName,
} from '../src/index.js';

const HOST = 'h1';
const HOST_IP = '127.0.0.2';

/** A running container `web` of image `team/web:1.0` with the given ports, env and labels. */
function container(over: Partial<ContainerInfo> = {}): ContainerInfo {
  return {
    id: 'c0ffee',
    name: 'web',
    image: 'team/web:1.0',
    env: [],
    labels: {},
    ports: [tcp(80, 32768)],
    ip: '127.0.0.9',
    state: 'running',
    exitCode: 0,
    ...over,
  };
}

function tcp(port: number, hostPort?: number, hostIp = '0.0.0.0'): ContainerPort {
  return {
    port,
    protocol: 'tcp',
    bindings: hostPort === undefined ? [] : [{ hostIp, hostPort }],
  };
}

function udp(port: number, hostPort: number): ContainerPort {
  return { port, protocol: 'udp', bindings: [{ hostIp: '0.0.0.0', hostPort }] };
}

/** A service in the notation of the table: id name address:port, then optional parts. */
function svc(
  id: string,
  name: string,
  addr: string,
  extra: Partial<ServiceRegistration> = {},
): ServiceRegistration {
  const [address, port] = addr.split(/:(?=\d+$)/) as [string, string];
  return { id, name, address, port: Number(port), tags: [], meta: {}, checks: [], ...extra };
}

interface Case {
  name: string;
  input: { container: Partial<ContainerInfo>; options?: Partial<MappingOptions> };
  want: { services: ServiceRegistration[]; warnings?: [key: string, message: RegExp][] };
}

const two = [tcp(80, 32768), tcp(443, 32769)];

const cases: Case[] = [
  // --- ports, names, IDs, addresses
  {
    name: 'one published port: image base name, host IP, host port',
    input: { container: {} },
    want: { services: [svc('h1:web:80', 'web', '127.0.0.2:32768')] },
  },
  {
    name: 'several ports: -<port> suffix, sorted by port',
    input: { container: { ports: [tcp(443, 32769), tcp(80, 32768)] } },
    want: {
      services: [
        svc('h1:web:80', 'web-80', '127.0.0.2:32768'),
        svc('h1:web:443', 'web-443', '127.0.0.2:32769'),
      ],
    },
  },
  {
    name: 'udp port: :udp ID suffix and udp tag',
    input: { container: { ports: [udp(53, 40053)] } },
    want: { services: [svc('h1:web:53:udp', 'web', '127.0.0.2:40053', { tags: ['udp'] })] },
  },
  {
    name: 'tcp and udp on the same port are two services',
    input: { container: { ports: [udp(53, 40053), tcp(53, 40054)] } },
    want: {
      services: [
        svc('h1:web:53', 'web-53', '127.0.0.2:40054'),
        svc('h1:web:53:udp', 'web-53', '127.0.0.2:40053', { tags: ['udp'] }),
      ],
    },
  },
  {
    name: 'an exposed but unpublished port is not registered',
    input: { container: { ports: [tcp(80, 32768), tcp(9000)] } },
    want: { services: [svc('h1:web:80', 'web', '127.0.0.2:32768')] },
  },
  {
    name: 'a binding on one address registers that address',
    input: { container: { ports: [tcp(80, 32768, '127.0.0.3')] } },
    want: { services: [svc('h1:web:80', 'web', '127.0.0.3:32768')] },
  },
  {
    name: 'the IPv4 binding wins over the IPv6 one',
    input: {
      container: {
        ports: [
          {
            port: 80,
            protocol: 'tcp',
            bindings: [
              { hostIp: '::', hostPort: 32770 },
              { hostIp: '0.0.0.0', hostPort: 32768 },
            ],
          },
        ],
      },
    },
    want: { services: [svc('h1:web:80', 'web', '127.0.0.2:32768')] },
  },
  {
    name: '--internal: container IP and exposed port, published or not',
    input: { container: { ports: [tcp(80, 32768), tcp(9000)] }, options: { internal: true } },
    want: {
      services: [
        svc('h1:web:80', 'web-80', '127.0.0.9:80'),
        svc('h1:web:9000', 'web-9000', '127.0.0.9:9000'),
      ],
    },
  },
  {
    name: 'image base name drops registry, path, tag and digest',
    input: { container: { image: 'registry.local:5000/a/b/api:2.1@sha256:abcd' } },
    want: { services: [svc('h1:web:80', 'api', '127.0.0.2:32768')] },
  },
  {
    name: 'no ports, no services',
    input: { container: { ports: [] } },
    want: { services: [] },
  },
  // --- SERVICE_NAME / SERVICE_<port>_NAME
  {
    name: 'SERVICE_NAME from env',
    input: { container: { env: ['SERVICE_NAME=shop'] } },
    want: { services: [svc('h1:web:80', 'shop', '127.0.0.2:32768')] },
  },
  {
    name: 'SERVICE_NAME with several ports keeps the -<port> suffix',
    input: { container: { env: ['SERVICE_NAME=shop'], ports: two } },
    want: {
      services: [
        svc('h1:web:80', 'shop-80', '127.0.0.2:32768'),
        svc('h1:web:443', 'shop-443', '127.0.0.2:32769'),
      ],
    },
  },
  {
    name: 'SERVICE_<port>_NAME names that port exactly',
    input: { container: { env: ['SERVICE_NAME=shop', 'SERVICE_443_NAME=shop-tls'], ports: two } },
    want: {
      services: [
        svc('h1:web:80', 'shop-80', '127.0.0.2:32768'),
        svc('h1:web:443', 'shop-tls', '127.0.0.2:32769'),
      ],
    },
  },
  {
    name: 'labels override env',
    input: {
      container: { env: ['SERVICE_NAME=from-env'], labels: { SERVICE_NAME: 'from-label' } },
    },
    want: { services: [svc('h1:web:80', 'from-label', '127.0.0.2:32768')] },
  },
  {
    name: 'an empty value means unset',
    input: { container: { env: ['SERVICE_NAME=', 'SERVICE_TAGS='] } },
    want: { services: [svc('h1:web:80', 'web', '127.0.0.2:32768')] },
  },
  {
    name: 'env entries without = and non-SERVICE keys are ignored',
    input: { container: { env: ['SERVICE_NAME', 'PATH=/bin', 'service_name=lower'] } },
    want: { services: [svc('h1:web:80', 'web', '127.0.0.2:32768')] },
  },
  {
    name: 'bad service name: warning, image name used',
    input: { container: { env: ['SERVICE_NAME=my shop!'] } },
    want: {
      services: [svc('h1:web:80', 'web', '127.0.0.2:32768')],
      warnings: [['SERVICE_NAME', /bad service name/]],
    },
  },
  // --- SERVICE_TAGS
  {
    name: 'SERVICE_TAGS with \\, escape, spaces trimmed, --tags added, duplicates dropped',
    input: {
      container: { env: ['SERVICE_TAGS=urlprefix-/a\\,b, primary ,,v1,primary'] },
      options: { tags: ['dc-a', 'v1'] },
    },
    want: {
      services: [
        svc('h1:web:80', 'web', '127.0.0.2:32768', {
          tags: ['urlprefix-/a,b', 'primary', 'v1', 'dc-a'],
        }),
      ],
    },
  },
  {
    name: 'SERVICE_<port>_TAGS overrides SERVICE_TAGS for that port',
    input: { container: { env: ['SERVICE_TAGS=a', 'SERVICE_443_TAGS=b,c'], ports: two } },
    want: {
      services: [
        svc('h1:web:80', 'web-80', '127.0.0.2:32768', { tags: ['a'] }),
        svc('h1:web:443', 'web-443', '127.0.0.2:32769', { tags: ['b', 'c'] }),
      ],
    },
  },
  {
    name: '--tags on a udp service come before the udp tag',
    input: { container: { ports: [udp(53, 40053)] }, options: { tags: ['x'] } },
    want: { services: [svc('h1:web:53:udp', 'web', '127.0.0.2:40053', { tags: ['x', 'udp'] })] },
  },
  // --- SERVICE_ID
  {
    name: 'SERVICE_ID with one port is the ID',
    input: { container: { env: ['SERVICE_ID=web-1'] } },
    want: { services: [svc('web-1', 'web', '127.0.0.2:32768')] },
  },
  {
    name: 'SERVICE_ID with several ports gets :<port> so IDs stay unique',
    input: { container: { env: ['SERVICE_ID=web-1'], ports: two } },
    want: {
      services: [
        svc('web-1:80', 'web-80', '127.0.0.2:32768'),
        svc('web-1:443', 'web-443', '127.0.0.2:32769'),
      ],
    },
  },
  {
    name: 'SERVICE_<port>_ID is the ID of that port',
    input: { container: { env: ['SERVICE_443_ID=tls-1'], ports: two } },
    want: {
      services: [
        svc('h1:web:80', 'web-80', '127.0.0.2:32768'),
        svc('tls-1', 'web-443', '127.0.0.2:32769'),
      ],
    },
  },
  {
    name: 'bad SERVICE_ID: warning, default ID',
    input: { container: { env: ['SERVICE_ID=a b/c'] } },
    want: {
      services: [svc('h1:web:80', 'web', '127.0.0.2:32768')],
      warnings: [['SERVICE_ID', /bad service ID/]],
    },
  },
  // --- SERVICE_IGNORE / SERVICE_REGISTER
  {
    name: 'SERVICE_IGNORE=true ignores the container',
    input: { container: { env: ['SERVICE_IGNORE=true'], ports: two } },
    want: { services: [] },
  },
  {
    name: 'SERVICE_<port>_IGNORE ignores that port only (the other keeps its suffix)',
    input: { container: { labels: { SERVICE_80_IGNORE: '1' }, ports: two } },
    want: { services: [svc('h1:web:443', 'web-443', '127.0.0.2:32769')] },
  },
  {
    name: 'SERVICE_<port>_IGNORE=false re-enables a port of an ignored container',
    input: { container: { env: ['SERVICE_IGNORE=true', 'SERVICE_443_IGNORE=false'], ports: two } },
    want: { services: [svc('h1:web:443', 'web-443', '127.0.0.2:32769')] },
  },
  {
    name: 'malformed SERVICE_IGNORE: warning, ignored as registrator does',
    input: { container: { env: ['SERVICE_IGNORE=maybe'] } },
    want: { services: [], warnings: [['SERVICE_IGNORE', /bad boolean/]] },
  },
  {
    name: '--require-label without SERVICE_REGISTER: nothing',
    input: { container: {}, options: { requireLabel: true } },
    want: { services: [] },
  },
  {
    name: '--require-label with SERVICE_REGISTER=true',
    input: { container: { labels: { SERVICE_REGISTER: 'true' } }, options: { requireLabel: true } },
    want: { services: [svc('h1:web:80', 'web', '127.0.0.2:32768')] },
  },
  {
    name: '--require-label with SERVICE_<port>_REGISTER: that port only',
    input: {
      container: { env: ['SERVICE_443_REGISTER=yes'], ports: two },
      options: { requireLabel: true },
    },
    want: { services: [svc('h1:web:443', 'web-443', '127.0.0.2:32769')] },
  },
  {
    name: '--require-label with a malformed SERVICE_REGISTER: warning, not registered',
    input: { container: { env: ['SERVICE_REGISTER=perhaps'] }, options: { requireLabel: true } },
    want: { services: [], warnings: [['SERVICE_REGISTER', /bad boolean/]] },
  },
  {
    name: 'SERVICE_REGISTER without --require-label is neither needed nor Meta',
    input: { container: { env: ['SERVICE_REGISTER=false'] } },
    want: { services: [svc('h1:web:80', 'web', '127.0.0.2:32768')] },
  },
  // --- --label-filter
  {
    name: '--label-filter k=v: a container without the label is skipped',
    input: {
      container: { labels: { team: 'b' } },
      options: { labelFilters: [{ key: 'team', value: 'a' }] },
    },
    want: { services: [] },
  },
  {
    name: '--label-filter k=v and k: a container with both is registered',
    input: {
      container: { labels: { team: 'a', public: '' } },
      options: { labelFilters: [{ key: 'team', value: 'a' }, { key: 'public' }] },
    },
    want: { services: [svc('h1:web:80', 'web', '127.0.0.2:32768')] },
  },
  // --- Meta
  {
    name: 'other SERVICE_<key> become lower-case Meta; port keys override for that port',
    input: {
      container: {
        env: ['SERVICE_VERSION=1.2', 'SERVICE_443_VERSION=1.3', 'SERVICE_team-name=a'],
        ports: two,
      },
    },
    want: {
      services: [
        svc('h1:web:80', 'web-80', '127.0.0.2:32768', {
          meta: { version: '1.2', 'team-name': 'a' },
        }),
        svc('h1:web:443', 'web-443', '127.0.0.2:32769', {
          meta: { version: '1.3', 'team-name': 'a' },
        }),
      ],
    },
  },
  {
    name: 'bad Meta keys and reserved ones: warning, skipped',
    input: {
      container: {
        labels: {
          'SERVICE_bad.key': 'x',
          'SERVICE_berth-hash': 'y',
          'SERVICE_consul-x': 'z',
          SERVICE_OK: 'v',
        },
      },
    },
    want: {
      services: [svc('h1:web:80', 'web', '127.0.0.2:32768', { meta: { ok: 'v' } })],
      warnings: [
        ['SERVICE_bad.key', /bad Meta key/],
        ['SERVICE_berth-hash', /reserved/],
        ['SERVICE_consul-x', /bad Meta key/],
      ],
    },
  },
  {
    name: 'a Meta value over 512 characters: warning, skipped',
    input: { container: { env: [`SERVICE_BIG=${'x'.repeat(513)}`] } },
    want: {
      services: [svc('h1:web:80', 'web', '127.0.0.2:32768')],
      warnings: [['SERVICE_BIG', /longer than 512/]],
    },
  },
  // --- bad ports in keys
  {
    name: 'SERVICE_<port>_ with a port out of range: warning naming the key',
    input: { container: { env: ['SERVICE_99999_NAME=x', 'SERVICE_0_TAGS=y'] } },
    want: {
      services: [svc('h1:web:80', 'web', '127.0.0.2:32768')],
      warnings: [
        ['SERVICE_99999_NAME', /bad port/],
        ['SERVICE_0_TAGS', /bad port/],
      ],
    },
  },
  // --- checks
  {
    name: 'SERVICE_CHECK_HTTP: HTTP check on the registered address, default 10s interval',
    input: { container: { env: ['SERVICE_CHECK_HTTP=/health'] } },
    want: {
      services: [
        svc('h1:web:80', 'web', '127.0.0.2:32768', {
          checks: [{ HTTP: 'http://127.0.0.2:32768/health', Interval: '10s' }],
        }),
      ],
    },
  },
  {
    name: 'HTTP check with method, interval, timeout, initial status and deregister-after',
    input: {
      container: {
        env: [
          'SERVICE_CHECK_HTTP=/ready?x=1',
          'SERVICE_CHECK_HTTP_METHOD=head',
          'SERVICE_CHECK_INTERVAL=5s',
          'SERVICE_CHECK_TIMEOUT=1500ms',
          'SERVICE_CHECK_INITIAL_STATUS=passing',
          'SERVICE_CHECK_DEREGISTER_AFTER=90s',
        ],
      },
    },
    want: {
      services: [
        svc('h1:web:80', 'web', '127.0.0.2:32768', {
          checks: [
            {
              HTTP: 'http://127.0.0.2:32768/ready?x=1',
              Method: 'HEAD',
              Interval: '5s',
              Timeout: '1.5s',
              Status: 'passing',
              DeregisterCriticalServiceAfter: '1m30s',
            },
          ],
        }),
      ],
    },
  },
  {
    name: 'SERVICE_CHECK_HTTPS',
    input: { container: { env: ['SERVICE_CHECK_HTTPS=/h', 'SERVICE_CHECK_INTERVAL=30'] } },
    want: {
      services: [
        svc('h1:web:80', 'web', '127.0.0.2:32768', {
          checks: [{ HTTP: 'https://127.0.0.2:32768/h', Interval: '30s' }],
        }),
      ],
    },
  },
  {
    name: 'SERVICE_CHECK_TCP=true and SERVICE_CHECK_TTL together give two checks',
    input: {
      container: {
        env: ['SERVICE_CHECK_TCP=true', 'SERVICE_CHECK_TTL=30s', 'SERVICE_CHECK_TIMEOUT=2s'],
      },
    },
    want: {
      services: [
        svc('h1:web:80', 'web', '127.0.0.2:32768', {
          checks: [{ TCP: '127.0.0.2:32768', Interval: '10s', Timeout: '2s' }, { TTL: '30s' }],
        }),
      ],
    },
  },
  {
    name: 'SERVICE_CHECK_TCP=false: no check',
    input: { container: { env: ['SERVICE_CHECK_TCP=false'] } },
    want: { services: [svc('h1:web:80', 'web', '127.0.0.2:32768')] },
  },
  {
    name: 'SERVICE_<port>_CHECK_HTTP checks that port only',
    input: { container: { env: ['SERVICE_443_CHECK_HTTP=/tls'], ports: two } },
    want: {
      services: [
        svc('h1:web:80', 'web-80', '127.0.0.2:32768'),
        svc('h1:web:443', 'web-443', '127.0.0.2:32769', {
          checks: [{ HTTP: 'http://127.0.0.2:32769/tls', Interval: '10s' }],
        }),
      ],
    },
  },
  {
    name: '--internal: the check probes the container IP and exposed port',
    input: { container: { env: ['SERVICE_CHECK_TCP=1'] }, options: { internal: true } },
    want: {
      services: [
        svc('h1:web:80', 'web', '127.0.0.9:80', {
          checks: [{ TCP: '127.0.0.9:80', Interval: '10s' }],
        }),
      ],
    },
  },
  {
    name: 'an IPv6 address is bracketed in check URLs',
    input: { container: { env: ['SERVICE_CHECK_HTTP=/h'] }, options: { hostIp: '::1' } },
    want: {
      services: [
        svc('h1:web:80', 'web', '::1:32768', {
          checks: [{ HTTP: 'http://[::1]:32768/h', Interval: '10s' }],
        }),
      ],
    },
  },
  // --- malformed check values
  {
    name: 'bad interval: warning, default interval kept',
    input: { container: { env: ['SERVICE_CHECK_HTTP=/h', 'SERVICE_CHECK_INTERVAL=often'] } },
    want: {
      services: [
        svc('h1:web:80', 'web', '127.0.0.2:32768', {
          checks: [{ HTTP: 'http://127.0.0.2:32768/h', Interval: '10s' }],
        }),
      ],
      warnings: [['SERVICE_CHECK_INTERVAL', /bad duration/]],
    },
  },
  {
    name: 'bad timeout, status and deregister-after: warnings, each part dropped',
    input: {
      container: {
        env: [
          'SERVICE_CHECK_TCP=true',
          'SERVICE_CHECK_TIMEOUT=-1s',
          'SERVICE_CHECK_INITIAL_STATUS=green',
          'SERVICE_CHECK_DEREGISTER_AFTER=0',
        ],
      },
    },
    want: {
      services: [
        svc('h1:web:80', 'web', '127.0.0.2:32768', {
          checks: [{ TCP: '127.0.0.2:32768', Interval: '10s' }],
        }),
      ],
      warnings: [
        ['SERVICE_CHECK_TIMEOUT', /bad duration/],
        ['SERVICE_CHECK_INITIAL_STATUS', /bad initial status/],
        ['SERVICE_CHECK_DEREGISTER_AFTER', /bad duration/],
      ],
    },
  },
  {
    name: 'bad HTTP path and bad TTL: warnings, no check',
    input: { container: { env: ['SERVICE_CHECK_HTTP=health', 'SERVICE_CHECK_TTL=soon'] } },
    want: {
      services: [svc('h1:web:80', 'web', '127.0.0.2:32768')],
      warnings: [
        ['SERVICE_CHECK_HTTP', /bad path/],
        ['SERVICE_CHECK_TTL', /bad duration/],
      ],
    },
  },
  {
    name: 'bad TCP flag and bad method: warnings',
    input: {
      container: {
        env: [
          'SERVICE_CHECK_TCP=sometimes',
          'SERVICE_CHECK_HTTP=/h',
          'SERVICE_CHECK_HTTP_METHOD=G E T',
        ],
      },
    },
    want: {
      services: [
        svc('h1:web:80', 'web', '127.0.0.2:32768', {
          checks: [{ HTTP: 'http://127.0.0.2:32768/h', Interval: '10s' }],
        }),
      ],
      warnings: [
        ['SERVICE_CHECK_HTTP_METHOD', /bad HTTP method/],
        ['SERVICE_CHECK_TCP', /bad value/],
      ],
    },
  },
  {
    name: 'unknown check kind and script checks: warnings, ignored, not Meta',
    input: { container: { env: ['SERVICE_CHECK_GRPC=x', 'SERVICE_CHECK_SCRIPT=/bin/true'] } },
    want: {
      services: [svc('h1:web:80', 'web', '127.0.0.2:32768')],
      warnings: [
        ['SERVICE_CHECK_GRPC', /unknown check kind "grpc"/],
        ['SERVICE_CHECK_SCRIPT', /not supported/],
      ],
    },
  },
  {
    name: 'a general bad value warns once even with several ports',
    input: { container: { env: ['SERVICE_CHECK_TCP=1', 'SERVICE_CHECK_INTERVAL=x'], ports: two } },
    want: {
      services: [
        svc('h1:web:80', 'web-80', '127.0.0.2:32768', {
          checks: [{ TCP: '127.0.0.2:32768', Interval: '10s' }],
        }),
        svc('h1:web:443', 'web-443', '127.0.0.2:32769', {
          checks: [{ TCP: '127.0.0.2:32769', Interval: '10s' }],
        }),
      ],
      warnings: [['SERVICE_CHECK_INTERVAL', /bad duration/]],
    },
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const options: MappingOptions = { hostname: HOST, hostIp: HOST_IP, ...c.input.options };
    const got = containerToServices(container(c.input.container), options);
    t.same(got.services, c.want.services, 'services');
    const want = c.want.warnings ?? [];
    t.equal(got.warnings.length, want.length, `warnings: ${JSON.stringify(got.warnings)}`);
    for (const [key, message] of want) {
      const w = got.warnings.find((x) => x.key === key);
      t.ok(w, `a warning names ${key}`);
      t.equal(w?.container, 'web', 'the warning names the container');
      t.match(w?.message ?? '', message);
    }
  });
}

t.test('imageBaseName', async (t) => {
  const table: { input: string; want: string }[] = [
    { input: 'nginx', want: 'nginx' },
    { input: 'nginx:1.25', want: 'nginx' },
    { input: 'berth/busybox:test', want: 'busybox' },
    { input: 'localhost:5000/x/y:z', want: 'y' },
    { input: 'a/b@sha256:00', want: 'b' },
    { input: '', want: '' },
  ];
  for (const c of table) t.equal(imageBaseName(c.input), c.want, c.input);
});

t.test('never throws on arbitrary SERVICE_* input (bounded fuzz)', async (t) => {
  const parts = [
    'SERVICE_',
    '80_',
    '0_',
    '99999_',
    'CHECK_',
    'HTTP',
    'TTL',
    'TCP',
    'NAME',
    'ID',
    'TAGS',
    'IGNORE',
    'x',
    '=',
    '\\,',
    ',',
    ' ',
    '/',
  ];
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const word = (): string =>
    Array.from({ length: 1 + rnd(5) }, () => parts[rnd(parts.length)]).join('');
  let services = 0;
  for (let i = 0; i < 500; i++) {
    const env = Array.from({ length: rnd(6) }, () => `${word()}=${word()}`);
    const labels = Object.fromEntries(Array.from({ length: rnd(4) }, () => [word(), word()]));
    const r = containerToServices(container({ env, labels, ports: two }), {
      hostname: HOST,
      hostIp: HOST_IP,
      requireLabel: rnd(2) === 0,
    });
    services += r.services.length;
    for (const w of r.warnings)
      if (w.container !== 'web' || !w.key) t.fail('warning without container or key');
  }
  t.ok(services > 0, `500 random containers mapped without a throw (${services} services)`);
});
