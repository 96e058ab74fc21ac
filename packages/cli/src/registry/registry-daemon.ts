/**
 * `berth registry` as a library: writes the registry's config and users under the data dir,
 * runs Debian's `docker-registry serve` as a child (restarted with back-off if it dies),
 * serves /health, /metrics, `GET /v1/repositories` and `POST /v1/gc` on an admin port, and
 * collects garbage on a schedule: a dry run first, and only when it finds something, a short
 * stop of the registry around `garbage-collect --delete-untagged` (the registry's own advice:
 * never collect while pushes may run). Never logs a password.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import {
  adminHandler,
  backoffDelay,
  Counter,
  Gauge,
  type Health,
  type Logger,
  parseListen,
  type Registry,
  sleep,
  startAdminServer,
  type AdminServer,
} from '@berth/daemon';
import { ensureHtpasswd, readRegistryCredentials } from './htpasswd.js';
import { parseGcSummary, registryConfig } from './registry-config.js';
import { type RegistryChild, type RegistryLogLine, spawnRegistry } from './registry-process.js';
import { listRepositories, type RepositoryInfo } from './repositories.js';

/** Options, with the flags' names. */
export interface StartRegistryOptions {
  readonly listen: string;
  readonly admin: string;
  readonly dataDir: string;
  readonly auth: 'htpasswd' | 'none';
  /** htpasswd file; default `<data dir>/htpasswd`, created with one user when missing. */
  readonly htpasswd?: string | undefined;
  readonly user: string;
  readonly realm: string;
  /** 0 turns scheduled garbage collection off. */
  readonly gcIntervalMs: number;
  readonly binary: string;
  readonly log: Logger;
  readonly registry: Registry;
  readonly health: Health;
}

/** The outcome of one collection. */
export interface GcResult {
  readonly blobs: number;
  readonly manifests: number;
  readonly ran: boolean;
}

/** A running registry. */
export interface RunningRegistry {
  /** `http://host:port` of the registry itself. */
  readonly url: string;
  readonly adminUrl: string;
  /** `<data dir>/credentials.json` when berth made the user. */
  readonly credentialsFile: string | undefined;
  repositories(): Promise<RepositoryInfo[]>;
  gc(): Promise<GcResult>;
  close(): Promise<void>;
}

async function secretOf(file: string): Promise<string> {
  const existing = (await readFile(file, 'utf8').catch(() => '')).trim();
  if (existing) return existing;
  const s = randomBytes(24).toString('base64url');
  await writeFile(file, `${s}\n`, { mode: 0o600 });
  return s;
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 200 || res.status === 401;
  } catch {
    return false;
  }
}

/** Starts the registry; resolves once it answers. */
export async function startRegistry(o: StartRegistryOptions): Promise<RunningRegistry> {
  const listen = parseListen(o.listen);
  if (!listen) throw new Error(`--listen: ${JSON.stringify(o.listen)} is not host:port`);
  const adminAt = parseListen(o.admin);
  if (!adminAt) throw new Error(`--admin: ${JSON.stringify(o.admin)} is not host:port`);
  const url = `http://${listen.host || '127.0.0.1'}:${listen.port}`;
  await mkdir(join(o.dataDir, 'storage'), { recursive: true, mode: 0o700 });
  const htpasswd = o.auth === 'htpasswd' ? (o.htpasswd ?? join(o.dataDir, 'htpasswd')) : undefined;
  let credentialsFile: string | undefined;
  if (htpasswd && o.htpasswd === undefined) {
    credentialsFile = join(o.dataDir, 'credentials.json');
    if (await ensureHtpasswd(htpasswd, credentialsFile, o.user)) {
      o.log.info({ user: o.user, credentials: credentialsFile }, 'created registry user');
    }
  }
  const config = join(o.dataDir, 'config.yml');
  await writeFile(
    config,
    registryConfig({
      listen: `${listen.host}:${listen.port}`,
      storageDir: join(o.dataDir, 'storage'),
      htpasswd,
      realm: o.realm,
      httpSecret: await secretOf(join(o.dataDir, 'http-secret')),
    }),
    { mode: 0o600 },
  );

  const up = new Gauge({
    name: 'berth_registry_up',
    help: 'The registry answers',
    registers: [o.registry],
  });
  const restarts = new Counter({
    name: 'berth_registry_restarts_total',
    help: 'Restarts of the registry after it died',
    registers: [o.registry],
  });
  const gcRuns = new Counter({
    name: 'berth_registry_gc_runs_total',
    help: 'Garbage collections that deleted something',
    registers: [o.registry],
  });
  const gcBlobs = new Counter({
    name: 'berth_registry_gc_deleted_blobs_total',
    help: 'Blobs deleted by garbage collection',
    registers: [o.registry],
  });

  const forward = (l: RegistryLogLine): void => {
    const level = l.level === 'warning' ? 'warn' : l.level;
    const fn = (o.log as unknown as Record<string, (f: object, m: string) => void>)[level];
    (typeof fn === 'function' ? fn : o.log.info).call(o.log, l.fields, l.msg);
  };
  const stopping = new AbortController();
  let child: RegistryChild | undefined;
  let paused = false;

  const waitReady = async (timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await answers(url)) return;
      if (child && child.child.exitCode !== null) break;
      await sleep(100, stopping.signal);
    }
    throw new Error(`the registry did not answer on ${url} within ${timeoutMs} ms`);
  };

  const serve = (): void => {
    const c = spawnRegistry(o.binary, ['serve', config], forward);
    child = c;
    void c.exited.then(async (code) => {
      if (child !== c) return;
      up.set(0);
      if (stopping.signal.aborted || paused) return;
      o.health.degraded([`docker-registry exited with code ${code}`]);
      o.log.error({ code }, 'docker-registry exited; restarting');
      for (let attempt = 1; !stopping.signal.aborted && !paused; attempt++) {
        await sleep(backoffDelay(attempt, { baseMs: 200, maxMs: 10_000 }), stopping.signal);
        if (stopping.signal.aborted || paused) return;
        restarts.inc();
        serve();
        try {
          await waitReady(15_000);
          up.set(1);
          o.health.ok();
          return;
        } catch {
          // the next attempt waits longer
        }
      }
    });
  };

  serve();
  await waitReady(15_000);
  up.set(1);
  o.log.info({ url, auth: o.auth, dataDir: o.dataDir }, 'registry listening');

  let gcChain: Promise<GcResult> = Promise.resolve({ blobs: 0, manifests: 0, ran: false });
  const collect = async (): Promise<GcResult> => {
    const output: string[] = [];
    const dry = spawnRegistry(
      o.binary,
      ['garbage-collect', '--dry-run', '--delete-untagged', config],
      (l) => output.push(l.msg),
    );
    await dry.exited;
    const found = parseGcSummary(output.join('\n'));
    if (!found) throw new Error('garbage-collect --dry-run printed no summary');
    if (found.blobs + found.manifests === 0) return { ...found, ran: false };
    paused = true;
    try {
      await child?.stop();
      const real = spawnRegistry(
        o.binary,
        ['garbage-collect', '--delete-untagged', config],
        () => {},
      );
      const code = await real.exited;
      if (code !== 0) throw new Error(`garbage-collect exited with code ${code}`);
    } finally {
      paused = false;
      serve();
      await waitReady(15_000);
      up.set(1);
    }
    gcRuns.inc();
    gcBlobs.inc(found.blobs);
    o.log.info(found, 'garbage collected');
    return { ...found, ran: true };
  };
  const gc = (): Promise<GcResult> => {
    const next = gcChain.then(collect, collect);
    gcChain = next.catch(() => ({ blobs: 0, manifests: 0, ran: false }));
    return next;
  };
  const timer =
    o.gcIntervalMs > 0
      ? setInterval(() => {
          gc().catch((err: unknown) => o.log.warn({ err }, 'garbage collection failed'));
        }, o.gcIntervalMs)
      : undefined;
  timer?.unref();

  const creds = async (): Promise<{ username: string; password: string } | undefined> =>
    credentialsFile ? readRegistryCredentials(credentialsFile) : undefined;
  const repositories = async (): Promise<RepositoryInfo[]> => listRepositories(url, await creds());
  const health = adminHandler({ health: o.health, registry: o.registry });
  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(`${JSON.stringify(body)}\n`);
  };
  const handler = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (health(req, res)) return true;
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/v1/repositories' && req.method === 'GET') {
      repositories().then(
        (r) => json(res, 200, { Repositories: r }),
        (err: unknown) => json(res, 502, { error: (err as Error).message }),
      );
      return true;
    }
    if (path === '/v1/gc' && req.method === 'POST') {
      gc().then(
        (r) => json(res, 200, r),
        (err: unknown) => json(res, 500, { error: (err as Error).message }),
      );
      return true;
    }
    return false;
  };
  let admin: AdminServer;
  try {
    admin = await startAdminServer(adminAt, handler);
  } catch (err) {
    stopping.abort();
    await child?.stop();
    throw err;
  }
  o.health.ok();
  return {
    url,
    adminUrl: `http://${admin.address.address}:${admin.address.port}`,
    credentialsFile,
    repositories,
    gc,
    async close() {
      stopping.abort();
      if (timer) clearInterval(timer);
      await gcChain;
      await child?.stop();
      await admin.close();
    },
  };
}
