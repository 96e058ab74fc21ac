// Debian's python3-consul 0.7.1 driven against the catalog started in-process: kv, sessions,
// catalog, health, agent (test/python/consul_conformance.py). Strict: every python assertion
// is a tap assertion. The client's own quirks (GET writes, latin-1 str bodies) are worked
// around in the script and commented there.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { startCatalog } from '../src/index.js';

// The Debian interpreter: the first python3 on PATH may lack the consul module.
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./python/consul_conformance.py', import.meta.url));
// Timing knobs so expiry tests take about a second: Consul's 2 x TTL for sessions, 1 min floor
// of DeregisterCriticalServiceAfter and 30 s reaper. The script reads the same values.
const KNOBS = { sessionTtlMultiplier: 0.1, deregisterMinMs: 500, reapIntervalMs: 200 };
// The script's test count; a lower count means the script stopped early.
const EXPECTED_TESTS = 36;

interface PyResult {
  test: string;
  ok: boolean;
  failures: { what: string; expected: unknown; got: unknown }[];
  error: string | null;
  seconds?: number;
}

function runPython(
  addr: string,
): Promise<{ code: number | null; lines: PyResult[]; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CONSUL_HTTP_ADDR: addr,
    BERTH_TEST_SESSION_TTL_MULTIPLIER: String(KNOBS.sessionTtlMultiplier),
    BERTH_TEST_DEREGISTER_MIN_MS: String(KNOBS.deregisterMinMs),
    BERTH_TEST_REAP_INTERVAL_MS: String(KNOBS.reapIntervalMs),
    PYTHONDONTWRITEBYTECODE: '1',
  };
  // requests honours proxy variables: keep all traffic on loopback.
  for (const k of [
    'HTTP_PROXY',
    'HTTPS_PROXY',
    'http_proxy',
    'https_proxy',
    'ALL_PROXY',
    'all_proxy',
  ]) {
    delete env[k];
  }
  for (const k of ['CONSUL_HTTP_TOKEN', 'CONSUL_HTTP_SSL', 'CONSUL_HTTP_SSL_VERIFY']) delete env[k];
  env.NO_PROXY = env.no_proxy = '127.0.0.1,localhost';
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as PyResult);
      resolve({ code, lines, stderr });
    });
  });
}

t.test('python3-consul 0.7.1 conformance', async (t) => {
  t.ok(existsSync(PYTHON), `${PYTHON} exists (Debian python3-consul)`);
  const catalog = await startCatalog({ listen: '127.0.0.1:0', ...KNOBS });
  t.teardown(() => catalog.close());
  const addr = `${catalog.address.address}:${catalog.address.port}`;
  const { code, lines, stderr } = await runPython(addr);
  for (const r of lines) {
    t.test(r.test, async (t) => {
      for (const f of r.failures) {
        t.fail(`${f.what}: expected ${JSON.stringify(f.expected)}, got ${JSON.stringify(f.got)}`);
      }
      if (r.error !== null) t.fail(`exception:\n${r.error}`);
      t.ok(r.ok, `${r.test} passed`);
    });
  }
  t.equal(lines.length, EXPECTED_TESTS, 'every python test ran');
  t.equal(code, 0, `python exited 0${stderr ? `; stderr:\n${stderr}` : ''}`);
});
