import t from 'tap';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  berthHome,
  ensureCredentials,
  parseDefaultProfile,
  readDevFile,
  writeDevFile,
} from '../src/dev/dev-files.js';

t.test('parseDefaultProfile', async (t) => {
  const cases = [
    {
      name: 'default profile',
      input: '[default]\naws_access_key_id = A\naws_secret_access_key = S\n',
      want: { id: 'A', secret: 'S' },
    },
    {
      name: 'other profile ignored',
      input:
        '[other]\naws_access_key_id=X\naws_secret_access_key=Y\n[default]\naws_access_key_id=A\naws_secret_access_key=S',
      want: { id: 'A', secret: 'S' },
    },
    { name: 'no secret', input: '[default]\naws_access_key_id = A\n', want: undefined },
    { name: 'empty', input: '', want: undefined },
  ];
  for (const c of cases) t.same(parseDefaultProfile(c.input), c.want, c.name);
});

t.test('berthHome', async (t) => {
  t.equal(berthHome({ BERTH_HOME: '/x' }), '/x');
  t.match(berthHome({}), /\.berth$/);
});

t.test('ensureCredentials generates once, private, and keeps them', async (t) => {
  const dir = t.testdir();
  const file = join(dir, 'sub', 'credentials');
  const [a, b] = await Promise.all([ensureCredentials(file), ensureCredentials(file)]);
  t.same(a, b, 'two racing runs agree');
  t.match(a.id, /^AKBERTH[0-9A-F]{14}$/);
  t.ok(a.secret.length >= 30);
  t.equal((await stat(file)).mode & 0o777, 0o600, 'only the user can read it');
  t.same(await ensureCredentials(file), a, 'kept across runs');
  t.same(parseDefaultProfile(await readFile(file, 'utf8')), a);
});

t.test('dev file round trip', async (t) => {
  const dir = t.testdir();
  const dev = {
    endpoint: 'http://127.0.0.1:8700',
    region: 'us-east-1',
    cluster: 'default',
    credentialsFile: '/c',
    catalog: 'http://127.0.0.1:8500',
    hosts: [],
  };
  const path = await writeDevFile(dir, dev);
  t.same(await readDevFile(path), dev);
  t.equal(await readDevFile(join(dir, 'missing.json')), undefined);
});
