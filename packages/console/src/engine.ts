/**
 * The console's orchestrator: sessions and each person's API client, the shared catalog feed,
 * the sampler that remembers the last hour for the charts, the action log, and the live feeds
 * of open pages. It wires adapters to the pure core; it must never render HTML or hold a key
 * pair outside the session it belongs to.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { ContainerInstance } from '@aws-sdk/client-ecs';
import { every } from '@berth/daemon';
import { CatalogFeed } from './adapters/catalog.js';
import { askSrv } from './adapters/dns.js';
import { AUTH_ERRORS, EcsApi, EcsCallError } from './adapters/ecs-api.js';
import { routerMetrics, routerTable } from './adapters/hosts.js';
import { ScalingApi } from './adapters/scaling-api.js';
import { type Action, describeAction } from './core/actions.js';
import { isScalingAction } from './core/scaling-actions.js';
import type { RouterAnswer } from './core/discovery.js';
import { routeCounters, SeriesStore } from './core/history.js';
import { type KeyPair, type Session, SessionStore } from './core/sessions.js';
import { instanceIp } from './core/task-rows.js';
import type { DnsAnswer, EventRow, ServiceRow } from './core/view-types.js';
import { ViewLoader } from './view-loader.js';

export interface EngineOptions {
  readonly scheduler: string;
  readonly region: string;
  readonly consul: string;
  readonly consulToken?: string | undefined;
  /** The console's own key pair for the sampler (optional). */
  readonly credentials?: KeyPair | undefined;
  /** Agents' introspection port on each instance's advertised IP. */
  readonly agentPort: number;
  /** Routers' admin port on each instance's advertised IP (0: none). */
  readonly routerPort: number;
  /** Router admin URLs besides the per-instance ones (edge routers). */
  readonly routers: readonly string[];
  /** berth dns `host:port` to ask for `name.service.<domain>`; '' to not ask. */
  readonly dns: string;
  readonly domain: string;
  readonly sessionIdleMs: number;
  readonly maxSessions: number;
  readonly sampleIntervalMs: number;
  readonly catalogWaitMs?: number;
  /** `berth registry`: `host:port` images are pushed to, and its admin URL (issue 20). */
  readonly registry?: string | undefined;
  readonly registryAdmin?: string | undefined;
}

export interface EngineEvents {
  /** An action was taken (by anyone). */
  action: [EventRow];
}

const ACTION_LOG = 500;

function actionLink(a: Action): string | undefined {
  const c = (s: string): string => encodeURIComponent(s);
  switch (a.kind) {
    case 'scale':
    case 'update-service':
    case 'register-scalable-target':
    case 'put-scaling-policy':
    case 'delete-scaling-policy':
      return `/c/${c(a.cluster)}/services/${c(a.service)}`;
    case 'stop-task':
      return `/c/${c(a.cluster)}/tasks/${c(a.task)}`;
    case 'instance-state':
      return `/c/${c(a.cluster)}/instances/${c(a.instance)}`;
    case 'run-task':
      return `/c/${c(a.cluster)}/tasks`;
    case 'register-task-definition':
      return `/task-definitions/${c(String(a.definition['family'] ?? ''))}`;
  }
}

export class ConsoleEngine extends EventEmitter<EngineEvents> {
  readonly sessions: SessionStore;
  readonly catalog: CatalogFeed;
  readonly history = new SeriesStore();
  readonly loader: ViewLoader;
  readonly #apis = new Map<string, EcsApi>();
  readonly #scalings = new Map<string, ScalingApi>();
  readonly #actions: EventRow[] = [];
  readonly #stop = new AbortController();
  readonly #knownIps = new Set<string>();
  readonly #knownClusters = new Set<string>(['default']);
  #routerCache: { at: number; key: string; answers: Promise<RouterAnswer[]> } | undefined;
  readonly #dnsCache = new Map<string, { at: number; answer: Promise<DnsAnswer> }>();
  #sampler: Promise<void> | undefined;
  #samplerApi: EcsApi | undefined;
  #sweeper: NodeJS.Timeout | undefined;
  /** Failed sign-ins in the current minute (a bound on guessing). */
  #failures = { minute: 0, count: 0 };

  constructor(readonly options: EngineOptions) {
    super();
    this.sessions = new SessionStore(
      options.sessionIdleMs,
      options.maxSessions,
      () => randomBytes(32).toString('base64url'),
      (id) => this.#dropApi(id),
    );
    this.catalog = new CatalogFeed(options.consul, options.consulToken, options.catalogWaitMs);
    this.loader = new ViewLoader({
      catalog: this.catalog,
      history: this.history,
      routers: (instances) => this.#routers(instances),
      dns: (names) => this.#dns(names),
      actions: (filter) => this.#actions.filter(filter),
      sawServices: (cluster, rows, now) => this.#sawServices(cluster, rows, now),
      now: () => Date.now(),
    });
  }

  start(): this {
    this.catalog.start();
    this.#sampler = this.#sample();
    this.#sweeper = setInterval(() => {
      this.sessions.sweep(Date.now());
    }, 10_000);
    this.#sweeper.unref();
    return this;
  }

  /**
   * Signs in with a key pair: the scheduler itself judges it (ListClusters signed with it).
   * Throws EcsCallError 401 for refused credentials, 429 after too many failures.
   */
  async signIn(keys: KeyPair): Promise<Session> {
    const minute = Math.floor(Date.now() / 60_000);
    if (this.#failures.minute !== minute) this.#failures = { minute, count: 0 };
    if (this.#failures.count >= 20) {
      throw new EcsCallError('TooManySignIns', 'Too many failed sign-ins; wait a minute.', 429);
    }
    const api = new EcsApi(this.options.scheduler, this.options.region, keys);
    try {
      for (const c of await api.clusterNames()) this.#knownClusters.add(c);
    } catch (e) {
      api.destroy();
      const err =
        e instanceof EcsCallError ? e : new EcsCallError('ServerException', String(e), 500);
      if (AUTH_ERRORS.has(err.type)) {
        this.#failures.count++;
        throw new EcsCallError(
          err.type,
          `The scheduler refused these credentials: ${err.message}`,
          401,
        );
      }
      throw err;
    }
    const s = this.sessions.create(keys, Date.now());
    this.#apis.set(s.id, api);
    return s;
  }

  signOut(s: Session): void {
    this.sessions.delete(s.id);
  }

  #dropApi(id: string): void {
    this.#apis.get(id)?.destroy();
    this.#apis.delete(id);
    this.#scalings.get(id)?.destroy();
    this.#scalings.delete(id);
  }

  /** The person's API client. */
  api(s: Session): EcsApi {
    let api = this.#apis.get(s.id);
    if (!api) {
      api = new EcsApi(this.options.scheduler, this.options.region, s.credentials);
      this.#apis.set(s.id, api);
    }
    return api;
  }

  /** The person's Application Auto Scaling client (kept, like the API client, per session). */
  scaling(s: Session): ScalingApi {
    let api = this.#scalings.get(s.id);
    if (!api) {
      api = new ScalingApi(this.options.scheduler, this.options.region, s.credentials);
      this.#scalings.set(s.id, api);
    }
    return api;
  }

  /** Performs an action for a person and records it in the action log. */
  async perform(s: Session, a: Action): Promise<{ description: string; result: string }> {
    const description = describeAction(a);
    const who = s.credentials.accessKeyId;
    try {
      const result = isScalingAction(a)
        ? await this.scaling(s).perform(a)
        : await this.api(s).perform(a);
      this.#record({
        time: Date.now(),
        source: 'console',
        message: `${who}: ${description} Done: ${result}.`,
        tone: 'idle',
        link: actionLink(a),
      });
      return { description, result };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      this.#record({
        time: Date.now(),
        source: 'console',
        message: `${who}: ${description} Refused: ${message}`,
        tone: 'bad',
        link: actionLink(a),
      });
      throw e;
    }
  }

  #record(e: EventRow): void {
    this.#actions.unshift(e);
    if (this.#actions.length > ACTION_LOG) this.#actions.pop();
    this.emit('action', e);
  }

  #sawServices(cluster: string, rows: readonly ServiceRow[], now: number): void {
    this.#knownClusters.add(cluster);
    for (const r of rows) this.history.add(`running:${cluster}/${r.name}`, now, r.running);
  }

  #routerUrls(instances: readonly ContainerInstance[]): string[] {
    for (const i of instances) {
      const ip = instanceIp(i);
      if (ip) this.#knownIps.add(ip);
    }
    const perHost = this.options.routerPort
      ? [...this.#knownIps].sort().map((ip) => `http://${ip}:${this.options.routerPort}`)
      : [];
    return [...new Set([...this.options.routers, ...perHost])];
  }

  #routers(instances: readonly ContainerInstance[]): Promise<RouterAnswer[]> {
    const urls = this.#routerUrls(instances);
    const now = Date.now();
    const cached = this.#routerCache;
    const key = urls.join(' ');
    if (cached && cached.key === key && now - cached.at < 2000) return cached.answers;
    const answers = Promise.all(urls.map((u) => routerTable(u)));
    this.#routerCache = { at: now, key, answers };
    return answers;
  }

  async #dns(names: readonly string[]): Promise<Map<string, DnsAnswer>> {
    const out = new Map<string, DnsAnswer>();
    if (!this.options.dns) return out;
    const now = Date.now();
    await Promise.all(
      names.slice(0, 50).map(async (n) => {
        let c = this.#dnsCache.get(n);
        if (!c || now - c.at > 3000) {
          c = { at: now, answer: askSrv(this.options.dns, n, this.options.domain) };
          this.#dnsCache.set(n, c);
        }
        out.set(n, await c.answer);
      }),
    );
    return out;
  }

  /** Every sample interval: router counters, and running counts with a key pair if one is at hand. */
  #sample(): Promise<void> {
    return every(this.options.sampleIntervalMs, () => this.#sampleOnce(), {
      signal: this.#stop.signal,
      immediate: true,
      // A failed round leaves a gap in the charts; the next one tries again.
      onError: () => {},
    });
  }

  async #sampleOnce(): Promise<void> {
    const now = Date.now();
    let instances: ContainerInstance[] = [];
    const own = this.options.credentials;
    const keys = own ?? this.sessions.latest(now)?.credentials;
    if (keys) {
      // The console's own pair keeps one client; a person's pair is used for this round only.
      const api = own
        ? (this.#samplerApi ??= new EcsApi(this.options.scheduler, this.options.region, own))
        : new EcsApi(this.options.scheduler, this.options.region, keys);
      for (const cluster of this.#knownClusters) {
        const [services, inst] = await Promise.all([
          api.services(cluster).catch(() => []),
          api.instances(cluster).catch(() => []),
        ]);
        instances = instances.concat(inst);
        for (const s of services) {
          if (s.status !== 'INACTIVE')
            this.history.add(`running:${cluster}/${s.serviceName}`, now, s.runningCount ?? 0);
        }
      }
      if (!own) api.destroy();
    }
    const urls = this.#routerUrls(instances);
    const texts = (await Promise.all(urls.map((u) => routerMetrics(u)))).filter(
      (t): t is string => t !== undefined,
    );
    for (const [route, c] of routeCounters(texts)) {
      this.history.add(`route:${route}:requests`, now, c.requests);
      this.history.add(`route:${route}:errors`, now, c.errors);
    }
  }

  async close(): Promise<void> {
    this.#stop.abort();
    if (this.#sweeper) clearInterval(this.#sweeper);
    await this.#sampler;
    this.#samplerApi?.destroy();
    for (const id of new Set([...this.#apis.keys(), ...this.#scalings.keys()])) this.#dropApi(id);
    this.catalog.close();
    this.removeAllListeners();
  }
}
