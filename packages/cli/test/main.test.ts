import t from 'tap';
import { Writable } from 'node:stream';
import { main } from '../src/main.js';
import { formatLogLine } from '../src/dev/supervisor.js';

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => text };
}

async function runBerth(argv: string[]) {
  const stdout = capture();
  const stderr = capture();
  const code = await main(argv, {}, { stdout: stdout.stream, stderr: stderr.stream });
  return { code, out: stdout.text(), err: stderr.text() };
}

t.test('berth --help lists every subcommand', async (t) => {
  const r = await runBerth(['--help']);
  t.equal(r.code, 0);
  for (const name of ['dev', 'catalog', 'registrator', 'dns', 'router']) {
    t.match(r.out, new RegExp(`^  ${name}\\s+\\S`, 'm'), name);
  }
});

t.test('no command prints usage and exits 2', async (t) => {
  const r = await runBerth([]);
  t.equal(r.code, 2);
  t.match(r.out, /Usage: berth <command>/);
});

t.test('an unknown subcommand is a clear error with exit 2', async (t) => {
  const r = await runBerth(['nope']);
  t.equal(r.code, 2);
  t.equal(r.err, "berth: unknown command 'nope'. Run 'berth --help' for the commands.\n");
});

t.test('--version', async (t) => {
  const r = await runBerth(['--version']);
  t.equal(r.code, 0);
  t.match(r.out, /^berth \d+\.\d+\.\d+\n$/);
});

t.test('formatLogLine', async (t) => {
  const cases = [
    {
      name: 'pino line',
      input:
        '{"level":"info","time":"2026-11-21T20:20:27.685Z","pid":1,"component":"dns","msg":"started"}',
      want: 'dns      | 20:20:27 info  started',
    },
    {
      name: 'extra fields kept as JSON',
      input: '{"level":"warn","time":"2026-11-21T20:20:27.685Z","msg":"bad tag","tag":"x"}',
      want: 'dns      | 20:20:27 WARN  bad tag {"tag":"x"}',
    },
    { name: 'plain text', input: 'hello', want: 'dns      | hello' },
  ];
  for (const c of cases) t.equal(formatLogLine('dns', c.input, 8), c.want, c.name);
});
