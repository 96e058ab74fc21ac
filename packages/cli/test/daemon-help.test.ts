import t from 'tap';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const berth = fileURLToPath(new URL('../bin/berth.js', import.meta.url));

t.test('every daemon subcommand prints its generated --help', async (t) => {
  const cases = [
    { name: 'catalog', want: /--listen HOST:PORT/ },
    { name: 'dns', want: /--recursor/ },
    { name: 'router', want: /--proxy HOST:PORT/ },
    { name: 'registrator', want: /--deregister/ },
    { name: 'dev', want: /--demo/ },
  ];
  for (const c of cases) {
    const r = spawnSync(process.execPath, [berth, c.name, '--help'], { encoding: 'utf8' });
    t.equal(r.status, 0, `${c.name} exits 0`);
    t.match(r.stdout, new RegExp(`Usage: berth ${c.name} \\[options\\]`), c.name);
    t.match(r.stdout, c.want, `${c.name} lists its own flags`);
  }
});

t.test('a bad flag stops a daemon at start with a message naming the flag', async (t) => {
  const r = spawnSync(process.execPath, [berth, 'catalog', '--listen', 'nonsense'], {
    encoding: 'utf8',
  });
  t.equal(r.status, 2);
  t.match(r.stderr, /berth catalog: invalid value for --listen \(flag --listen\): "nonsense"/);
});
