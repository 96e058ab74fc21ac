// Issue 20: the SSM Parameter Store API with the real AWS CLI v2 (/usr/bin/aws ssm
// --endpoint-url): put (String / SecureString, overwrite, tags), get with and without
// decryption, selectors and labels, by path, history, describe with filters, delete; values
// only sealed in KV; key rotation keeps every parameter readable; SigV4 service `ssm`.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';

const errorType = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => 'no error',
    (e: { type?: unknown }) => e.type,
  );
import { EcsJsonClient } from '../src/client/ecs-json-client.js';
import { CREDS, startStack } from './fixtures.js';
import { awsCli, requireAwsCli, type CliResult } from '../../../test/helpers/aws-cli.js';

requireAwsCli();

const keyDir = await mkdtemp(join(tmpdir(), 'berth-ssm-key-'));
const keyFile = join(keyDir, 'secrets.key');
const s = await startStack({ secretsKey: keyFile });
t.teardown(async () => {
  await s.close();
  await rm(keyDir, { recursive: true, force: true });
});

const SECRET = `s3cr3t-${process.pid}-${Date.now()}-pass`;

function ssm(args: string[]): Promise<CliResult> {
  return awsCli('ssm', args, { endpoint: s.scheduler.url, home: s.dir, credentials: CREDS });
}

async function kvDump(): Promise<string> {
  const res = await fetch(`${s.catalog.url}/v1/kv/?recurse=true`);
  const list = (await res.json()) as { Key: string; Value: string | null }[];
  return list
    .map((e) => `${e.Key}=${e.Value ? Buffer.from(e.Value, 'base64').toString('utf8') : ''}`)
    .join('\n');
}

t.test('put, get, selectors, labels, history, describe, by path, delete', async (t) => {
  let r = await ssm([
    'put-parameter',
    '--name',
    '/berth-test/db/pass',
    '--type',
    'SecureString',
    '--value',
    SECRET,
  ]);
  t.equal(r.code, 0, r.stderr);
  t.same(r.out, { Version: 1, Tier: 'Standard' });
  r = await ssm([
    'put-parameter',
    '--name',
    '/berth-test/db/user',
    '--type',
    'String',
    '--value',
    'app',
    '--description',
    'the user',
  ]);
  t.equal(r.code, 0, r.stderr);
  r = await ssm([
    'put-parameter',
    '--name',
    '/berth-test/db/pass',
    '--type',
    'SecureString',
    '--value',
    'other',
  ]);
  t.not(r.code, 0);
  t.match(r.stderr, /ParameterAlreadyExists/);
  r = await ssm([
    'put-parameter',
    '--name',
    '/berth-test/db/pass',
    '--value',
    `${SECRET}-v2`,
    '--overwrite',
  ]);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.out['Version'], 2);

  r = await ssm(['get-parameter', '--name', '/berth-test/db/pass']);
  t.equal(r.code, 0, r.stderr);
  const hidden = r.out['Parameter'] as Record<string, unknown>;
  t.equal(hidden['Type'], 'SecureString');
  t.not(hidden['Value'], `${SECRET}-v2`, 'no value without --with-decryption');
  t.equal(hidden['ARN'], 'arn:aws:ssm:us-east-1:000000000000:parameter/berth-test/db/pass');

  r = await ssm([
    'label-parameter-version',
    '--name',
    '/berth-test/db/pass',
    '--parameter-version',
    '1',
    '--labels',
    'stable',
    '9bad',
  ]);
  t.equal(r.code, 0, r.stderr);
  t.same(r.out, { InvalidLabels: ['9bad'], ParameterVersion: 1 });

  r = await ssm([
    'get-parameters',
    '--names',
    '/berth-test/db/pass:stable',
    '/berth-test/db/pass',
    '/berth-test/nope',
    '--with-decryption',
  ]);
  t.equal(r.code, 0, r.stderr);
  const got = r.out['Parameters'] as Record<string, unknown>[];
  t.same(
    got.map((p) => [p['Value'], p['Version'], p['Selector']]),
    [
      [SECRET, 1, ':stable'],
      [`${SECRET}-v2`, 2, undefined],
    ],
  );
  t.same(r.out['InvalidParameters'], ['/berth-test/nope']);

  r = await ssm(['get-parameter', '--name', '/berth-test/db/pass:7']);
  t.match(r.stderr, /ParameterVersionNotFound/);
  r = await ssm(['get-parameter', '--name', '/berth-test/none']);
  t.match(r.stderr, /ParameterNotFound/);

  r = await ssm([
    'get-parameters-by-path',
    '--path',
    '/berth-test',
    '--recursive',
    '--with-decryption',
  ]);
  t.equal(r.code, 0, r.stderr);
  t.same(
    (r.out['Parameters'] as Record<string, unknown>[]).map((p) => [p['Name'], p['Value']]),
    [
      ['/berth-test/db/pass', `${SECRET}-v2`],
      ['/berth-test/db/user', 'app'],
    ],
  );
  r = await ssm(['get-parameters-by-path', '--path', '/berth-test']);
  t.same(r.out['Parameters'], [], 'not recursive: nothing directly under /berth-test');

  r = await ssm(['get-parameter-history', '--name', '/berth-test/db/pass']);
  t.equal(r.code, 0, r.stderr);
  const hist = r.out['Parameters'] as Record<string, unknown>[];
  t.same(
    hist.map((p) => [p['Version'], p['Labels']]),
    [
      [1, ['stable']],
      [2, []],
    ],
  );
  t.notOk(JSON.stringify(hist).includes(SECRET), 'history without decryption hides values');

  r = await ssm(['describe-parameters', '--parameter-filters', 'Key=Type,Values=SecureString']);
  t.equal(r.code, 0, r.stderr);
  const described = r.out['Parameters'] as Record<string, unknown>[];
  t.same(
    described.map((p) => [p['Name'], p['KeyId'], p['Version']]),
    [['/berth-test/db/pass', 'alias/aws/ssm', 2]],
  );
  t.match(described[0]?.['LastModifiedUser'], /user\/AKIDBERTHTEST0001$/);

  r = await ssm(['put-parameter', '--name', 'aws-reserved', '--type', 'String', '--value', 'x']);
  t.match(r.stderr, /ValidationException/);
  r = await ssm([
    'put-parameter',
    '--name',
    '/berth-test/pattern',
    '--type',
    'String',
    '--value',
    'abc',
    '--allowed-pattern',
    '^\\d+$',
  ]);
  t.match(r.stderr, /ParameterPatternMismatchException/);

  const dump = await kvDump();
  t.notOk(dump.includes(SECRET), 'KV holds no plaintext value');
  t.notOk(dump.includes('"app"'), 'String values are sealed at rest too');
  t.match(dump, /berth\/ssm\/parameters\/h\/berth-test\/db\/pass=/);
});

t.test('SigV4: an SSM call signed for service ecs is refused', async (t) => {
  const json = new EcsJsonClient({ endpoint: s.scheduler.url, credentials: CREDS });
  t.teardown(() => json.close());
  t.equal(
    await errorType(json.call('AmazonSSM.GetParameter', { Name: '/berth-test/db/pass' })),
    'InvalidSignatureException',
  );
});

t.test('key rotation re-encrypts every value and keeps it readable', async (t) => {
  const before = JSON.parse(await readFile(keyFile, 'utf8')) as { keys: { id: string }[] };
  t.equal(before.keys.length, 1);
  const json = new EcsJsonClient({ endpoint: s.scheduler.url, credentials: CREDS });
  t.teardown(() => json.close());
  const rotated = await json.call<{ KeyId: string; ReEncrypted: number; RetiredKeyIds: string[] }>(
    'BerthAdminV1.RotateSecretsKey',
    {},
  );
  t.equal(rotated.ReEncrypted, 2);
  t.same(rotated.RetiredKeyIds, [before.keys[0]?.id]);
  const after = JSON.parse(await readFile(keyFile, 'utf8')) as { keys: { id: string }[] };
  t.same(
    after.keys.map((k) => k.id),
    [rotated.KeyId],
    'old key retired from the file',
  );
  const dump = await kvDump();
  t.notOk(dump.includes(`:${before.keys[0]?.id}:`), 'no value sealed under the old key');
  t.match(dump, new RegExp(`berth/ssm/key-id=${rotated.KeyId}`));
  const r = await ssm([
    'get-parameters',
    '--names',
    '/berth-test/db/pass:1',
    '/berth-test/db/pass',
    '/berth-test/db/user',
    '--with-decryption',
  ]);
  t.same(
    (r.out['Parameters'] as Record<string, unknown>[]).map((p) => p['Value']),
    [SECRET, `${SECRET}-v2`, 'app'],
  );
  const put = await ssm([
    'put-parameter',
    '--name',
    'flat-after-rotation',
    '--type',
    'SecureString',
    '--value',
    'x1',
  ]);
  t.equal(put.code, 0, put.stderr);
  t.match(await kvDump(), new RegExp(`flat-after-rotation=.*berth1:${rotated.KeyId}:`));
});

t.test('delete', async (t) => {
  let r = await ssm(['delete-parameter', '--name', '/berth-test/db/user']);
  t.equal(r.code, 0, r.stderr);
  r = await ssm(['delete-parameter', '--name', '/berth-test/db/user']);
  t.match(r.stderr, /ParameterNotFound/);
  r = await ssm(['delete-parameters', '--names', '/berth-test/db/pass', '/berth-test/gone']);
  t.same(r.out, {
    DeletedParameters: ['/berth-test/db/pass'],
    InvalidParameters: ['/berth-test/gone'],
  });
});
