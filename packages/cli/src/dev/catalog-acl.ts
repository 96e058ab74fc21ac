/**
 * `berth dev`'s side of the catalog's ACL system (packages/catalog README, "Bootstrap"): it
 * bootstraps the catalog with the management secret kept in a 0600 file, or accepts a catalog
 * already bootstrapped with it (a data dir, a restart of `berth dev`: a second bootstrap would
 * be a 403); a catalog bootstrapped with a secret since lost is reset through its data dir's
 * `acl-bootstrap-reset`. Then it makes sure each daemon's policy and token exist as
 * acl-policies.ts says, creating or correcting them. Idempotent and serialized: it runs after
 * every (re)start of the catalog and before a host is added.
 * It never prints, logs or puts in an error a secret, and writes only the secret file and the
 * catalog's reset file.
 */

import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sleep } from '@berth/daemon';
import { DAEMON_POLICIES, type DaemonToken, daemonToken } from './acl-policies.js';

/**
 * Returns the management secret in `file` (a UUID on its own line), generating the file with
 * mode 0600 when it does not exist. A racing writer wins: both use its secret.
 */
export async function ensureManagementSecret(file: string): Promise<string> {
  const read = async (): Promise<string | undefined> => {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    const secret = text?.trim();
    return secret ? secret : undefined;
  };
  const existing = await read();
  if (existing) return existing;
  const secret = randomUUID();
  await mkdir(dirname(file), { recursive: true });
  try {
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const again = await read();
    if (again) return again;
    await writeFile(file, `${secret}\n`, { mode: 0o600 });
  }
  return secret;
}

/** The catalog refused or failed an ACL call `berth dev` needs. */
export class CatalogAclError extends Error {
  override readonly name = 'CatalogAclError';
  readonly code = 'BERTH_DEV_CATALOG_ACL';
  constructor(
    message: string,
    /** The request got no answer (the catalog went away, a stale keep-alive socket). */
    readonly unanswered = false,
  ) {
    super(message);
  }
}

export interface CatalogAclOptions {
  /** The catalog's URL. */
  readonly url: string;
  readonly managementSecret: string;
  /** The catalog's data dir (where a lost secret's bootstrap reset is written); memory only when unset. */
  readonly catalogDataDir?: string | undefined;
  /** Labels of the daemons started so far (more come with {@link CatalogAcl.ensure}). */
  readonly labels: readonly string[];
  /** Bound of each request (default 10 s). */
  readonly timeoutMs?: number;
}

interface Answer {
  readonly status: number;
  readonly text: string;
}

interface PolicyJson {
  ID: string;
  Description?: string;
  Rules?: string;
}

interface TokenJson {
  Description?: string;
  Policies?: { Name?: string }[] | null;
}

const NOT_FOUND = /ACL not found/;

/** Bootstraps the catalog's ACLs and keeps the daemons' policies and tokens there. */
export class CatalogAcl {
  readonly #o: CatalogAclOptions;
  readonly #labels: Set<string>;
  #chain: Promise<void> = Promise.resolve();

  constructor(options: CatalogAclOptions) {
    this.#o = options;
    this.#labels = new Set(options.labels);
  }

  /** The token of a daemon (undefined for the catalog and the agents). */
  token(label: string): DaemonToken | undefined {
    return daemonToken(this.#o.managementSecret, label);
  }

  /** What to add to a daemon's environment: its own `CONSUL_HTTP_TOKEN`, or nothing. */
  env(label: string): Readonly<Record<string, string>> {
    const t = this.token(label);
    return t ? { CONSUL_HTTP_TOKEN: t.secretId } : {};
  }

  /**
   * Bootstraps (or accepts) the catalog's ACLs and makes sure the policy and token of every
   * daemon known so far and of `labels` exist. One run at a time.
   */
  ensure(labels: readonly string[] = []): Promise<void> {
    for (const l of labels) this.#labels.add(l);
    const run = this.#chain.then(() => this.#retried());
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /** #ensure (idempotent) again after a request that got no answer, e.g. a stale socket. */
  async #retried(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#ensure();
      } catch (err) {
        if (!(err instanceof CatalogAclError && err.unanswered) || attempt === 3) throw err;
        await sleep(200 * attempt);
      }
    }
  }

  async #ensure(): Promise<void> {
    await this.#bootstrap();
    const tokens = [...this.#labels]
      .map((l) => this.token(l))
      .filter((t): t is DaemonToken => t !== undefined);
    for (const daemon of new Set(tokens.map((t) => t.daemon))) {
      await this.#policy(DAEMON_POLICIES[daemon]);
    }
    for (const t of tokens) await this.#token(t);
  }

  async #bootstrap(): Promise<void> {
    const self = await this.#call('GET', '/v1/acl/token/self');
    if (self.status === 200) return;
    if (!(self.status === 403 && NOT_FOUND.test(self.text)))
      throw this.#error('GET', 'token/self', self);
    const body = { BootstrapSecret: this.#o.managementSecret };
    // No token on the bootstrap itself: ours does not exist yet (the catalog would refuse it).
    let boot = await this.#call('PUT', '/v1/acl/bootstrap', body, false);
    const reset = /reset index: (\d+)/.exec(boot.text)?.[1];
    if (boot.status === 403 && reset !== undefined && this.#o.catalogDataDir !== undefined) {
      // Bootstrapped with a secret that is gone (its file was removed): Consul's reset.
      await writeFile(join(this.#o.catalogDataDir, 'acl-bootstrap-reset'), `${reset}\n`);
      boot = await this.#call('PUT', '/v1/acl/bootstrap', body, false);
    }
    if (boot.status !== 200) throw this.#error('PUT', 'bootstrap', boot);
  }

  async #policy(p: { name: string; description: string; rules: string }): Promise<void> {
    const got = await this.#call('GET', `/v1/acl/policy/name/${encodeURIComponent(p.name)}`);
    const want = { Name: p.name, Description: p.description, Rules: p.rules };
    let put: Answer;
    if (got.status === 200) {
      const cur = JSON.parse(got.text) as PolicyJson;
      if (cur.Rules === p.rules && cur.Description === p.description) return;
      put = await this.#call('PUT', `/v1/acl/policy/${cur.ID}`, { ID: cur.ID, ...want });
    } else if (got.status === 403 && NOT_FOUND.test(got.text)) {
      put = await this.#call('PUT', '/v1/acl/policy', want);
    } else throw this.#error('GET', `policy ${p.name}`, got);
    if (put.status !== 200) throw this.#error('PUT', `policy ${p.name}`, put);
  }

  async #token(t: DaemonToken): Promise<void> {
    const got = await this.#call('GET', `/v1/acl/token/${t.accessorId}`);
    const want = {
      AccessorID: t.accessorId,
      SecretID: t.secretId,
      Description: t.description,
      Policies: [{ Name: t.policy }],
    };
    let put: Answer;
    if (got.status === 200) {
      const cur = JSON.parse(got.text) as TokenJson;
      const names = (cur.Policies ?? []).map((p) => p.Name);
      if (cur.Description === t.description && names.length === 1 && names[0] === t.policy) {
        return;
      }
      put = await this.#call('PUT', `/v1/acl/token/${t.accessorId}`, want);
    } else if (got.status === 403 && NOT_FOUND.test(got.text)) {
      put = await this.#call('PUT', '/v1/acl/token', want);
    } else throw this.#error('GET', `token of ${t.label}`, got);
    if (put.status !== 200) throw this.#error('PUT', `token of ${t.label}`, put);
  }

  async #call(
    method: 'GET' | 'PUT',
    path: string,
    body?: unknown,
    withToken = true,
  ): Promise<Answer> {
    let res: Response;
    try {
      res = await fetch(`${this.#o.url}${path}`, {
        method,
        headers: withToken ? { 'X-Consul-Token': this.#o.managementSecret } : {},
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#o.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new CatalogAclError(`catalog ACL: ${method} ${path}: ${(err as Error).message}`, true);
    }
    return { status: res.status, text: await res.text() };
  }

  #error(method: string, what: string, a: Answer): CatalogAclError {
    // The catalog's messages name AccessorIDs, never secrets.
    const hint = /reset index/.test(a.text)
      ? ' (the catalog was bootstrapped with another management secret; remove its data dir or reset it, see packages/catalog README "Bootstrap")'
      : '';
    return new CatalogAclError(
      `catalog ACL: ${method} ${what}: ${a.status} ${a.text.trim().slice(0, 300)}${hint}`,
    );
  }
}
