// Runs the fault suite with BERTH_FAULTS_REPORT set and turns its JSON into the markdown
// report bench/results/faults-<date>.md (with the commit, the machine and the exact command).
// The figures are the suite's own: this script measures nothing itself.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commit, machine, machineLine } from '../lib/report.mjs';

const dir = await mkdtemp(join(tmpdir(), 'berth-faults-bench-'));
const json = join(dir, 'report.json');
const before = machine();
const args = ['--no-install', 'tap', '-R', 'terse', 'test/faults.serial.test.ts'];
const started = Date.now();
const code = await new Promise((resolve) => {
  const child = spawn('npx', args, {
    stdio: 'inherit',
    env: { ...process.env, CI: 'true', BERTH_FAULTS_REPORT: json },
  });
  child.on('exit', (c) => resolve(c ?? 1));
});
const wallS = Math.round((Date.now() - started) / 1000);
const report = JSON.parse(await readFile(json, 'utf8').catch(() => 'null'));
if (!report) {
  console.error(`the suite wrote no report (exit ${code})`);
  process.exit(1);
}
const s = (ms) => (ms === undefined || ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s`);
const lines = [
  `# berth faults — ${new Date().toISOString().slice(0, 10)}`,
  '',
  `Commit ${commit()}; ${machineLine(before)} (at start).`,
  '',
  'Command: `bench/faults/run` (runs `CI=true BERTH_FAULTS_REPORT=<file> npx tap test/faults.serial.test.ts`);',
  `suite ${code === 0 ? 'passed' : `FAILED (exit ${code})`}, wall time ${wallS} s.`,
  '',
  '`berth dev --hosts 3 --schedulers 2 --data-dir D`, service `hello`: 5 tasks of the test image with a',
  'container health check (5 s) and the registrator HTTP check (1 s), minimumHealthyPercent 100,',
  'maximumPercent 200, circuit breaker with rollback. Client loop: one request every 50 ms through each',
  `host's router, at most one in flight per router (aimed at ${report.rate} requests/s, measured below) and`,
  "an SRV lookup every 500 ms on each host's dns. One fault at a time; each row is the window from the",
  'injection until the service is whole again (ECS, `docker ps` and the catalog agree on 5 passing tasks,',
  'every daemon runs) plus 2 s of it staying whole.',
  '',
  '| fault | failed requests | req/s | failed lookups | until whole | stale | lost | duplicates | warn / error lines | note |',
  '|---|---|---|---|---|---|---|---|---|---|',
];
for (const r of report.rows) {
  const rate = r.windowMs ? (r.requests / (r.windowMs / 1000)).toFixed(0) : '?';
  lines.push(
    `| ${r.fault} | ${r.failed} / ${r.requests}${r.zeroAsserted ? ' (0 asserted)' : ''} | ${rate} | ${r.lookupsFailed} / ${r.lookups} | ${s(r.recoveryMs)} | ${r.stale} | ${r.lost} | ${r.duplicates} | ${r.warnLines} / ${r.errorLines} | ${[r.note, ...(r.failed ? [`e.g. ${r.examples.slice(0, 2).join(', ')}`] : [])].filter(Boolean).join('; ')} |`,
  );
}
lines.push(
  '',
  'Columns: failed requests = non-200 answers and errors through the routers; failed lookups = SRV',
  'lookups that failed or answered nothing; until whole = injection to whole; stale = catalog',
  'instances whose container does not run; lost = ECS RUNNING tasks without a container; duplicates =',
  'the most task ARNs seen with two running containers at any sample during the recovery (all three',
  'after recovery); warn / error lines = WARN and ERROR/FATAL log lines of every daemon in the window.',
  '',
);
const out = `bench/results/faults-${new Date().toISOString().slice(0, 10)}.md`;
await writeFile(out, lines.join('\n'));
console.log(`wrote ${out}`);
process.exit(code);
