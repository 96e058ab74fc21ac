/**
 * Keeps the check runners in step with the store: every check of the catalog's own node that
 * has a runnable definition (HTTP, TCP, TTL, and script checks when they are enabled) runs,
 * and each changed result comes back as a `check-status` write. It never writes anything but
 * check results, and never runs a check of another node.
 */
import { CheckRunner, type CheckResult, type CheckSpec } from '../adapters/checks/index.js';
import { StateError } from '../errors.js';
import type { State } from '../core/state.js';
import type { CheckDefinition, CheckRec, CheckStatus, Op } from '../core/types.js';

/** Output longer than this is truncated, as Consul's agent does. */
export const OUTPUT_MAX = 4096;

/** Truncates check output to 4 KiB with Consul's `... (captured N of M bytes)` note. */
export function truncateOutput(output: string): string {
  const bytes = Buffer.from(output, 'utf8');
  if (bytes.length <= OUTPUT_MAX) return output;
  const head = bytes.subarray(0, OUTPUT_MAX).toString('utf8');
  return `${head} ... (captured ${OUTPUT_MAX} of ${bytes.length} bytes)`;
}

type Runnable = CheckDefinition & { kind: CheckSpec['kind'] };

function toSpec(id: string, d: Runnable): CheckSpec {
  const spec: CheckSpec = {
    checkId: id,
    kind: d.kind,
    intervalMs: d.intervalNs / 1e6,
    timeoutMs: d.timeoutNs / 1e6,
    ttlMs: d.ttlNs / 1e6,
  };
  if (d.kind === 'http') {
    spec.http = d.http;
    spec.method = d.method || 'GET';
    if (d.header)
      spec.header = Object.fromEntries(Object.entries(d.header).map(([k, v]) => [k, [...v]]));
    spec.body = d.body;
    spec.tlsSkipVerify = d.tlsSkipVerify;
    spec.tlsServerName = d.tlsServerName;
  }
  if (d.kind === 'tcp') spec.tcp = d.tcp;
  if (d.kind === 'script') {
    spec.args = [...(d.args ?? [])];
    spec.script = d.script ?? '';
  }
  return spec;
}

export interface CheckSyncOptions {
  readonly node: string;
  readonly state: () => State;
  readonly write: (op: Op) => Promise<unknown>;
  readonly warn: (message: string) => void;
  /** Script checks run (`enable_script_checks` or `enable_local_script_checks`). */
  readonly scripts: boolean;
  readonly minIntervalMs: number;
}

export class CheckSync {
  readonly #o: CheckSyncOptions;
  readonly #runner: CheckRunner;
  readonly #specs = new Map<string, string>();

  constructor(o: CheckSyncOptions) {
    this.#o = o;
    this.#runner = new CheckRunner((r) => this.#onResult(r), { minIntervalMs: o.minIntervalMs });
  }

  #runnable(d: CheckDefinition | null): d is Runnable {
    if (d === null) return false;
    if (d.kind === 'script') {
      return this.#o.scripts && (d.dockerContainerId ?? '') === '';
    }
    return d.kind === 'http' || d.kind === 'tcp' || d.kind === 'ttl';
  }

  /** Starts, replaces or stops the runner of check `id` of our node to match `rec`. */
  sync(id: string, rec: CheckRec | undefined): void {
    const d = rec?.definition ?? null;
    if (!rec || !this.#runnable(d)) {
      if (this.#specs.delete(id)) this.#runner.remove(id);
      return;
    }
    const key = JSON.stringify(d);
    if (this.#specs.get(id) === key) return;
    try {
      this.#runner.add(toSpec(id, d));
      this.#specs.set(id, key);
    } catch (err) {
      this.#o.warn(`check ${id} cannot run: ${(err as Error).message}`);
    }
  }

  #onResult(r: CheckResult): void {
    const rec = this.#o.state().checks.get(this.#o.node)?.get(r.checkId);
    if (!rec) return;
    let output = truncateOutput(r.output);
    if (output === 'TTL expired' && rec.output !== '' && !rec.output.startsWith('TTL expired')) {
      output = `TTL expired (last output before timeout follows): ${rec.output}`;
    }
    this.#o
      .write({ t: 'check-status', node: rec.node, id: rec.checkId, status: r.status, output })
      .catch((err: Error) => this.#o.warn(`check ${r.checkId} result lost: ${err.message}`));
  }

  /** A TTL check's pass/warn/fail/update. */
  async ttlUpdate(checkId: string, status: CheckStatus, output: string): Promise<void> {
    const rec = this.#o.state().checks.get(this.#o.node)?.get(checkId);
    if (!rec || rec.definition?.kind !== 'ttl') {
      throw new StateError(`CheckID ${JSON.stringify(checkId)} does not have associated TTL`);
    }
    const out = truncateOutput(output);
    await this.#o.write({ t: 'check-status', node: rec.node, id: checkId, status, output: out });
    this.#runner.ttlUpdate(checkId, out);
  }

  close(): void {
    this.#runner.close();
  }
}
