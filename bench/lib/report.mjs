// What every berth benchmark report shares: percentiles, the machine it ran on, and the
// commit it measured. Reports must say both, so figures can be compared across runs.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';

/** Runs a command and returns its trimmed stdout, or '' when it fails. */
export function safeExec(cmd, args, options = {}) {
  try {
    return execFileSync(cmd, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      ...options,
    }).trim();
  } catch {
    return '';
  }
}

/** Nearest-rank percentile of an ascending array (q in [0, 1]). */
export function percentile(sorted, q) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
  return sorted[Math.max(0, i)];
}

/** n, p50, p90, p99 and max of a list of numbers, rounded to 0.01. */
export function summarize(values) {
  const s = [...values].sort((a, b) => a - b);
  const r = (x) => Math.round(x * 100) / 100;
  return {
    n: s.length,
    p50: r(percentile(s, 0.5)),
    p90: r(percentile(s, 0.9)),
    p99: r(percentile(s, 0.99)),
    max: r(s.at(-1) ?? NaN),
  };
}

/** The machine a report was measured on. */
export function machine() {
  const list = cpus();
  return {
    nproc: list.length,
    cpu: list[0]?.model ?? '',
    memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** One line describing `machine()` for a markdown report. */
export function machineLine(m = machine()) {
  return `${m.nproc} × ${m.cpu}, ${m.memGiB} GiB, Linux ${m.kernel}, Node ${m.node}, load average ${m.loadavg.join(' ')}`;
}

/** The measured commit, with a note when the tree (or `paths`) had uncommitted changes. */
export function commit(paths = []) {
  const sha = safeExec('git', ['rev-parse', '--short', 'HEAD']) || 'uncommitted';
  const dirty = safeExec('git', ['status', '--porcelain', '--', ...paths]) !== '';
  return dirty ? `${sha} (+ uncommitted changes)` : sha;
}
