import t from 'tap';
import { parse } from 'yaml';
import {
  composeToEcs,
  parseComposeDuration,
  parseHealthcheck,
  parseMemory,
  parsePort,
  splitCommand,
} from '../src/compose/compose-to-ecs.js';

t.test('parsePort', async (t) => {
  const cases = [
    {
      name: 'container port only',
      input: '8080',
      want: { containerPort: 8080, hostPort: 0, protocol: 'tcp' },
    },
    {
      name: 'host:container',
      input: '80:8080',
      want: { containerPort: 8080, hostPort: 80, protocol: 'tcp' },
    },
    { name: 'udp', input: '53/udp', want: { containerPort: 53, hostPort: 0, protocol: 'udp' } },
    { name: 'number', input: 9000, want: { containerPort: 9000, hostPort: 0, protocol: 'tcp' } },
    {
      name: 'ip:host:container',
      input: '127.0.0.1:81:80',
      want: { containerPort: 80, hostPort: 81, protocol: 'tcp' },
    },
    {
      name: 'long form',
      input: { target: 80, published: 8081 },
      want: { containerPort: 80, hostPort: 8081, protocol: 'tcp' },
    },
  ];
  for (const c of cases)
    t.same(
      parsePort(c.input, 'p', () => {}),
      c.want,
      c.name,
    );
  t.throws(() => parsePort('8000-8010:80', 'p', () => {}), { code: 'COMPOSE_INVALID' });
});

t.test('parseMemory and durations', async (t) => {
  const mem = [
    { name: 'megabytes', input: '512m', want: 512 },
    { name: 'gigabytes', input: '1g', want: 1024 },
    { name: 'bytes', input: 268435456, want: 256 },
    { name: 'kb', input: '2048k', want: 4 },
  ];
  for (const c of mem) t.equal(parseMemory(c.input, 'm'), c.want, c.name);
  t.throws(() => parseMemory('lots', 'm'), { code: 'COMPOSE_INVALID' });
  const dur = [
    { name: 'seconds', input: '10s', want: 10 },
    { name: 'compound', input: '1m30s', want: 90 },
    { name: 'ms rounds', input: '1500ms', want: 2 },
  ];
  for (const c of dur) t.equal(parseComposeDuration(c.input, 'd'), c.want, c.name);
  t.equal(parseComposeDuration('1s', 'd', 5), 5, 'minimum applied');
  t.throws(() => parseComposeDuration('soon', 'd'), { code: 'COMPOSE_INVALID' });
});

t.test('splitCommand and healthcheck', async (t) => {
  t.same(splitCommand(`sh -c "echo 'hi there'" x`), ['sh', '-c', "echo 'hi there'", 'x']);
  t.same(parseHealthcheck({ test: 'wget -q localhost', interval: '10s', retries: 2 }, 'h'), {
    command: ['CMD-SHELL', 'wget -q localhost'],
    interval: 10,
    retries: 2,
  });
  t.same(parseHealthcheck({ test: ['CMD', 'true'], timeout: '1s', start_period: '30s' }, 'h'), {
    command: ['CMD', 'true'],
    timeout: 2,
    startPeriod: 30,
  });
  t.equal(parseHealthcheck({ test: ['NONE'] }, 'h'), undefined);
  t.equal(parseHealthcheck({ disable: true }, 'h'), undefined);
  t.throws(() => parseHealthcheck({ test: ['RUN', 'x'] }, 'h'), { code: 'COMPOSE_INVALID' });
});

const file = `
version: "3"
services:
  web:
    image: berth/busybox:test
    command: ["/usr/local/bin/berth-httpd"]
    environment:
      SERVICE_TAGS: urlprefix-/web
      MESSAGE: hi
    ports: ["8080"]
    labels: [a=b]
    mem_limit: 64m
    cpu_shares: 128
    healthcheck:
      test: wget -q -O /dev/null http://127.0.0.1:8080/
      interval: 5s
    depends_on: [db]
    deploy:
      replicas: 3
  db:
    image: berth/busybox:test
    environment: [PASSWORD]
    volumes: [data:/data]
volumes:
  data: {}
`;

t.test('composeToEcs maps a file', async (t) => {
  const plan = composeToEcs(parse(file), 'shop');
  t.same(
    plan.services.map((s) => [s.name, s.desiredCount]),
    [
      ['shop-web', 3],
      ['shop-db', 1],
    ],
  );
  const web = plan.services[0]!.taskDefinition;
  t.equal(web.family, 'shop-web');
  t.same(web.containerDefinitions![0], {
    name: 'web',
    image: 'berth/busybox:test',
    essential: true,
    command: ['/usr/local/bin/berth-httpd'],
    environment: [
      { name: 'SERVICE_TAGS', value: 'urlprefix-/web' },
      { name: 'MESSAGE', value: 'hi' },
    ],
    dockerLabels: { a: 'b' },
    portMappings: [{ containerPort: 8080, hostPort: 0, protocol: 'tcp' }],
    memory: 64,
    cpu: 128,
    healthCheck: {
      command: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/'],
      interval: 5,
    },
  });
  t.equal(plan.services[1]!.taskDefinition.containerDefinitions![0]!.memoryReservation, 128);
  const warnings = plan.warnings.join('\n');
  t.match(warnings, /services\.web\.depends_on ignored/);
  t.match(warnings, /services\.db\.volumes ignored/);
  t.match(warnings, /PASSWORD.*has no value/);
  t.match(warnings, /top-level 'volumes' ignored/);
  t.match(warnings, /reserving 128 MiB/);
});

t.test('composeToEcs refuses what it cannot map', async (t) => {
  const cases = [
    { name: 'no services', input: { version: '3' } },
    { name: 'build only', input: { services: { a: { build: '.' } } } },
    {
      name: 'bad network mode',
      input: { services: { a: { image: 'x', network_mode: 'service:b' } } },
    },
    { name: 'bad replicas', input: { services: { a: { image: 'x', scale: -1 } } } },
  ];
  for (const c of cases)
    t.throws(() => composeToEcs(c.input, 'p'), { code: 'COMPOSE_INVALID' }, c.name);
  t.throws(() => composeToEcs({ services: {} }, 'bad name'), { code: 'COMPOSE_INVALID' });
});
