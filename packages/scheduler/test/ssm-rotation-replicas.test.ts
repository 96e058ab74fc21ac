// Issue 20, key rotation with two scheduler replicas on one catalog: replica B has read (and so
// cached the sealing key of) every parameter before replica A rotates the key; afterwards both
// read every parameter and every kept version back, B's next write is sealed under the new key
// (not the retired one it had cached), and a rotation asked of the follower works as well. A
// replica with its own copy of the key file answers InternalServerError naming the new key id
// until the rotated file is copied to it, then reads everything.
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startScheduler, type RunningScheduler } from '../src/index.js';
import { EcsJsonClient } from '../src/client/ecs-json-client.js';
import { signSigV4 } from '../src/core/sigv4.js';
import { CREDS, startStack } from './fixtures.js';

const dir = await mkdtemp(join(tmpdir(), 'berth-ssm-rotate-'));
const keyFile = join(dir, 'secrets.key');
const a = await startStack({ secretsKey: keyFile });
const replicas: RunningScheduler[] = [];
t.teardown(async () => {
  for (const r of replicas) await r.close();
  await a.close();
  await rm(dir, { recursive: true, force: true });
});

/** Another replica on the same catalog, with `secretsKey` as its key file. */
async function replica(secretsKey: string): Promise<RunningScheduler> {
  const r = await startScheduler({
    consul: a.catalog.url,
    listen: '127.0.0.1:0',
    credentials: a.credentialsFile,
    secretsKey,
  });
  replicas.push(r);
  return r;
}

/** One SSM action against `url`, signed for service `ssm`; `{error}` on an error answer. */
async function ssm(url: string, action: string, body: unknown): Promise<Record<string, unknown>> {
  const text = JSON.stringify(body);
  const u = new URL(url);
  const headers = signSigV4({
    method: 'POST',
    host: u.host,
    path: '/',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AmazonSSM.${action}`,
    },
    body: text,
    credentials: CREDS,
    region: 'us-east-1',
    service: 'ssm',
  });
  delete headers['host'];
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: text,
    signal: AbortSignal.timeout(20_000),
  });
  const out = (await res.json()) as Record<string, unknown>;
  return res.ok ? out : { error: `${String(out['__type'])}: ${String(out['message'])}` };
}

const NAMES = ['/rot/db/password', '/rot/db/user', '/rot/api/token'];
const valueOf = (name: string, v: number): string => `${name}#v${v}-${process.pid}`;

/** Every name's every version as `url` decrypts it (selectors `name:1`, `name:2`). */
async function readAll(url: string): Promise<unknown> {
  const r = await ssm(url, 'GetParameters', {
    Names: NAMES.flatMap((n) => [`${n}:1`, `${n}:2`]),
    WithDecryption: true,
  });
  if (r['error']) return r['error'];
  return (r['Parameters'] as { Selector: string; Name: string; Value: string }[])
    .map((p) => `${p.Name}${p.Selector}=${p.Value}`)
    .sort();
}
const expected = NAMES.flatMap((n) => [
  `${n}:1=${valueOf(n, 1)}`,
  `${n}:2=${valueOf(n, 2)}`,
]).sort();

async function sealedUnder(name: string): Promise<string[]> {
  const res = await fetch(`${a.catalog.url}/v1/kv/berth/ssm/parameters/h${name}?raw`);
  const rec = (await res.json()) as { versions: { value: string }[] };
  return rec.versions.map((v) => v.value.split(':')[1] ?? '?');
}

const keyIds = async (file: string): Promise<string[]> =>
  (JSON.parse(await readFile(file, 'utf8')) as { keys: { id: string }[] }).keys.map((k) => k.id);

t.test('both replicas read every parameter back after a rotation', async (t) => {
  const b = await replica(keyFile);
  for (const name of NAMES) {
    for (const v of [1, 2]) {
      const put = await ssm(v === 1 ? a.scheduler.url : b.url, 'PutParameter', {
        Name: name,
        Type: name.endsWith('user') ? 'String' : 'SecureString',
        Value: valueOf(name, v),
        Overwrite: v > 1,
      });
      t.equal(put['Version'], v, `${name} v${v} written ${JSON.stringify(put)}`);
    }
  }
  t.same(await readAll(a.scheduler.url), expected, 'A reads everything before');
  t.same(await readAll(b.url), expected, 'B reads everything before (and caches the key)');
  const [oldKey] = await keyIds(keyFile);

  const json = new EcsJsonClient({ endpoint: a.scheduler.url, credentials: CREDS });
  t.teardown(() => json.close());
  const rotated = await json.call<{ KeyId: string; ReEncrypted: number; RetiredKeyIds: string[] }>(
    'BerthAdminV1.RotateSecretsKey',
    {},
  );
  t.equal(rotated.ReEncrypted, NAMES.length, 'every parameter re-encrypted');
  t.same(rotated.RetiredKeyIds, [oldKey], 'the old key retired');
  t.same(await keyIds(keyFile), [rotated.KeyId], 'the file holds only the new key');
  t.same(await readAll(a.scheduler.url), expected, 'A reads every version after');
  t.same(await readAll(b.url), expected, 'B reads every version after');

  const put = await ssm(b.url, 'PutParameter', {
    Name: '/rot/db/password',
    Type: 'SecureString',
    Value: 'written-by-b',
    Overwrite: true,
  });
  t.equal(put['Version'], 3, `B writes after the rotation ${JSON.stringify(put)}`);
  t.same(
    await sealedUnder('/rot/db/password'),
    [rotated.KeyId, rotated.KeyId, rotated.KeyId],
    'B sealed it under the new key, not the retired one it had cached',
  );
  const v3 = await ssm(a.scheduler.url, 'GetParameter', {
    Name: '/rot/db/password',
    WithDecryption: true,
  });
  t.equal((v3['Parameter'] as { Value?: string })?.Value, 'written-by-b', 'A reads what B wrote');

  // The follower rotates too (the SSM API needs no leader); A then reads everything.
  const jsonB = new EcsJsonClient({ endpoint: b.url, credentials: CREDS });
  t.teardown(() => jsonB.close());
  const again = await jsonB.call<{ KeyId: string; RetiredKeyIds: string[] }>(
    'BerthAdminV1.RotateSecretsKey',
    {},
  );
  t.same(again.RetiredKeyIds, [rotated.KeyId], 'B retired the key A made');
  t.same(await readAll(a.scheduler.url), expected, 'A reads versions 1 and 2 after B rotated');
  const latest = await ssm(a.scheduler.url, 'GetParameter', {
    Name: '/rot/db/password',
    WithDecryption: true,
  });
  t.equal((latest['Parameter'] as { Value?: string })?.Value, 'written-by-b');
});

t.test('a replica with its own key file reads again once the rotated file is copied', async (t) => {
  const own = join(dir, 'copy.key');
  await copyFile(keyFile, own);
  const c = await replica(own);
  t.same(await readAll(c.url), expected, 'C reads everything with its copy');
  const json = new EcsJsonClient({ endpoint: a.scheduler.url, credentials: CREDS });
  t.teardown(() => json.close());
  const rotated = await json.call<{ KeyId: string }>('BerthAdminV1.RotateSecretsKey', {});
  t.match(
    await readAll(c.url),
    new RegExp(`^InternalServerError: .*${rotated.KeyId}`),
    'C, without the new key, says which key it lacks',
  );
  await copyFile(keyFile, own);
  t.same(await readAll(c.url), expected, 'C reads everything once the file is copied');
});
