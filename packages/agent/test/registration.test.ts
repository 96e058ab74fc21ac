// The RegisterContainerInstance request (src/registration.ts), --attribute parsing, and the
// shared credentials file parsing (src/aws-credentials.ts).
import t from 'tap';
import { buildRegistration, credentialsFromIni, parseAttribute, parseIni } from '../src/index.js';

t.test('registration: resources, attributes, identity', async (t) => {
  const r = buildRegistration({
    cpus: 2,
    totalMemoryBytes: 4096 * 1024 * 1024 + 12345,
    reservedMemoryMiB: 256,
    reservedPorts: [2376, 22, 2375, 51678, 22],
    arch: 'x64',
    availabilityZone: 'az-1',
    advertiseIp: '127.0.0.2',
    instanceId: 'i-abc',
    attributes: { rack: 'r1', 'ecs.os-type': 'forged' },
    agentVersion: '0.1.0',
    dockerVersion: '20.10.24',
    containerInstanceArn: 'arn:ci',
  });
  t.same(r.totalResources, [
    { name: 'CPU', type: 'INTEGER', integerValue: 2048 },
    { name: 'MEMORY', type: 'INTEGER', integerValue: 3840 },
    { name: 'PORTS', type: 'STRINGSET', stringSetValue: ['22', '2375', '2376', '51678'] },
    { name: 'PORTS_UDP', type: 'STRINGSET', stringSetValue: [] },
  ]);
  t.same(r.attributes, [
    { name: 'ecs.os-type', value: 'linux' },
    { name: 'ecs.cpu-architecture', value: 'x86_64' },
    { name: 'ecs.availability-zone', value: 'az-1' },
    { name: 'berth.advertise-ip', value: '127.0.0.2' },
    { name: 'rack', value: 'r1' },
  ]);
  t.equal(r.containerInstanceArn, 'arn:ci', 're-registers the same instance');
  t.same(JSON.parse(r.instanceIdentityDocument ?? ''), { instanceId: 'i-abc' });
  t.same(r.versionInfo, {
    agentVersion: '0.1.0',
    agentHash: 'berth',
    dockerVersion: 'DockerVersion: 20.10.24',
  });
});

const attrs: { name: string; input: string; want: [string, string] | RegExp }[] = [
  { name: 'k=v', input: 'rack=r1', want: ['rack', 'r1'] },
  { name: 'k only', input: 'gpu', want: ['gpu', ''] },
  { name: 'value with =', input: 'a=b=c', want: ['a', 'b=c'] },
  { name: 'empty name', input: '=v', want: /is not name=value/ },
  { name: 'space in name', input: 'a b=c', want: /is not name=value/ },
];
for (const c of attrs) {
  t.test(`--attribute ${c.name}`, async (t) => {
    if (c.want instanceof RegExp) t.throws(() => parseAttribute(c.input), c.want);
    else t.same(parseAttribute(c.input), c.want);
  });
}

t.test('shared credentials and config files', async (t) => {
  const creds = parseIni(
    '[default]\naws_access_key_id = AKDEFAULT\naws_secret_access_key = s1\n\n# comment\n[dev]\naws_access_key_id=AKDEV\naws_secret_access_key=s2\naws_session_token=tok\n',
  );
  const config = parseIni('[profile cfg]\naws_access_key_id=AKCFG\naws_secret_access_key=s3\n');
  t.same(credentialsFromIni(creds, config, 'default'), {
    accessKeyId: 'AKDEFAULT',
    secretAccessKey: 's1',
  });
  t.same(credentialsFromIni(creds, config, 'dev'), {
    accessKeyId: 'AKDEV',
    secretAccessKey: 's2',
    sessionToken: 'tok',
  });
  t.same(credentialsFromIni(creds, config, 'cfg'), { accessKeyId: 'AKCFG', secretAccessKey: 's3' });
  t.equal(credentialsFromIni(creds, config, 'nope'), undefined);
});
