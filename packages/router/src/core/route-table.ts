/**
 * The immutable routing table: built from route commands, looked up by host and path.
 * Host routes come first, then `/path` routes; the longest prefix wins (or, with the glob
 * matcher, the longest matching pattern). A lookup costs O(length of host + path) in prefix
 * mode. A source whose instances are all unhealthy (`status=` lines) stays in the table with
 * no targets, so it answers 503 instead of falling through to a shorter prefix. Pure:
 * building never does I/O; the only mutable parts are balancing counters and budgets.
 */
import { type RouteCommand, type AddCommand, formatRouteCommand } from './route-command.js';
import { PrefixTree } from './prefix-tree.js';
import { globToRegExp } from './glob.js';
import { type UpstreamState, UpstreamStates } from './upstream-state.js';
import { RetryBudgets, type RetryBudget } from './retry-budget.js';
import { authority } from './route-tag.js';
import { normalizeStrip } from './path.js';

/** One upstream (or redirect) of a route. */
export interface Target {
  readonly service: string;
  /** The `dst` of the route command. */
  readonly url: string;
  readonly tags: readonly string[];
  readonly opts: Readonly<Record<string, string>>;
  readonly protocol: 'http' | 'https';
  readonly hostname: string;
  readonly port: number;
  /** Pool and health key: protocol, authority and TLS verification. */
  readonly key: string;
  /** Whole-segment prefix removed before proxying (see path.ts). */
  readonly strip: string;
  readonly prepend: string;
  /** Host header to send: undefined keeps the client's. */
  readonly hostHeader: string | undefined;
  readonly tlsSkipVerify: boolean;
  /** Redirect status code (0 = proxy). With a redirect, `url` is the Location template. */
  readonly redirect: number;
  /** Share of the route's traffic, 0..1 (0 = never picked). */
  readonly weight: number;
  readonly state: UpstreamState;
}

/** A route: one source (`host/path`) and its targets. */
export interface Route {
  readonly src: string;
  readonly host: string;
  readonly path: string;
  readonly targets: readonly Target[];
  /** Target indexes in weighted round-robin order (empty when all weights are equal). */
  readonly wheel: readonly number[];
  /** Retries of this route so far (shared across tables). */
  readonly budget: RetryBudget;
  /** Round-robin position; the one mutable field. */
  counter: number;
}

/** How paths are matched. */
export type Matcher = 'prefix' | 'glob';

interface HostRoutes {
  readonly tree: PrefixTree<Route> | undefined;
  readonly globs: readonly { re: RegExp; route: Route }[];
}

/** Options of {@link buildTable}. */
export interface BuildOptions {
  readonly matcher?: Matcher;
  /** Shared upstream state (outlives tables). */
  readonly states?: UpstreamStates;
  /** Shared per-route retry budgets (outlive tables). */
  readonly budgets?: RetryBudgets;
}

interface Entry {
  readonly cmd: AddCommand;
  fixed: number | undefined;
}

function parseTarget(e: Entry, share: number, states: UpstreamStates): Target {
  const c = e.cmd;
  const u = new URL(c.dst);
  const protocol = u.protocol === 'https:' ? 'https' : 'http';
  const port = u.port === '' ? (protocol === 'https' ? 443 : 80) : Number(u.port);
  const hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const skip = c.opts.tlsskipverify === 'true';
  const key = `${protocol}://${authority(hostname, port)}${skip ? '#insecure' : ''}`;
  const h = c.opts.host;
  return {
    service: c.service,
    url: c.dst,
    tags: c.tags,
    opts: c.opts,
    protocol,
    hostname,
    port,
    key,
    strip: normalizeStrip(c.opts.strip ?? ''),
    prepend: c.opts.prepend ?? '',
    hostHeader: h === undefined ? undefined : h === 'dst' ? authority(hostname, port) : h,
    tlsSkipVerify: skip,
    redirect: c.opts.redirect === undefined ? 0 : Number(c.opts.redirect),
    weight: share,
    state: states.get(key),
  };
}

function hasAllTags(have: readonly string[], want: readonly string[] | undefined): boolean {
  if (want === undefined) return true;
  for (const t of want) if (!have.includes(t)) return false;
  return true;
}

/** Relative weight of an instance from its `weight=` option (default 1). */
function relWeight(e: Entry): number {
  const w = e.cmd.opts.weight;
  return w === undefined ? 1 : Number(w);
}

/** Fabio's weights: fixed shares first, the rest split over the others by relative weight. */
function shares(entries: readonly Entry[]): number[] {
  let fixedSum = 0;
  let freeRel = 0;
  for (const e of entries) {
    if (e.fixed !== undefined) fixedSum += e.fixed;
    else freeRel += relWeight(e);
  }
  const scaleFixed = fixedSum > 1 || (freeRel === 0 && fixedSum > 0) ? 1 / fixedSum : 1;
  const rest = Math.max(0, 1 - fixedSum * scaleFixed);
  return entries.map((e) =>
    e.fixed !== undefined
      ? e.fixed * scaleFixed
      : freeRel > 0
        ? (rest * relWeight(e)) / freeRel
        : 0,
  );
}

/** Smooth weighted round-robin order over 100 slots (Fabio uses a 100-slot wheel too). */
function wheelOf(weights: readonly number[]): number[] {
  const live = weights.filter((w) => w > 0);
  if (live.length === weights.length && live.every((w) => w === live[0])) return [];
  const total = weights.reduce((a, b) => a + b, 0);
  const current = weights.map(() => 0);
  const out: number[] = [];
  for (let n = 0; n < 100; n++) {
    let best = -1;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i] as number;
      if (w <= 0) continue;
      current[i] = (current[i] as number) + w;
      if (best < 0 || (current[i] as number) > (current[best] as number)) best = i;
    }
    if (best < 0) break;
    current[best] = (current[best] as number) - total;
    out.push(best);
  }
  return out;
}

function splitSrc(src: string): { host: string; path: string } {
  const slash = src.indexOf('/');
  return { host: src.slice(0, slash).toLowerCase(), path: src.slice(slash) };
}

/** An immutable routing table. */
export class RouteTable {
  readonly #hosts: ReadonlyMap<string, HostRoutes>;
  readonly #wildcards: boolean;
  /** Routes sorted by host, then longest path first. */
  readonly routes: readonly Route[];
  /** The canonical route commands this table was built from. */
  readonly lines: readonly string[];
  readonly matcher: Matcher;

  /** @internal use {@link buildTable}. */
  constructor(routes: Route[], lines: readonly string[], matcher: Matcher) {
    this.routes = routes;
    this.lines = lines;
    this.matcher = matcher;
    const byHost = new Map<string, Route[]>();
    for (const r of routes) {
      const list = byHost.get(r.host) ?? [];
      list.push(r);
      byHost.set(r.host, list);
    }
    const hosts = new Map<string, HostRoutes>();
    for (const [host, list] of byHost) {
      if (matcher === 'prefix') {
        const tree = new PrefixTree<Route>();
        for (const r of list) tree.set(r.path, r);
        hosts.set(host, { tree, globs: [] });
      } else {
        hosts.set(host, {
          tree: undefined,
          globs: list.map((route) => ({ re: globToRegExp(route.path), route })),
        });
      }
    }
    this.#hosts = hosts;
    this.#wildcards = routes.some((r) => r.host.startsWith('*.'));
  }

  #match(hr: HostRoutes | undefined, path: string): Route | undefined {
    if (hr === undefined) return undefined;
    if (hr.tree !== undefined) return hr.tree.longestPrefix(path);
    for (const g of hr.globs) if (g.re.test(path)) return g.route;
    return undefined;
  }

  /**
   * The route for a request: `host` (lower case, may carry a port) then wildcard hosts,
   * then host-less routes.
   */
  lookup(host: string, path: string): Route | undefined {
    const hosts = this.#hosts;
    if (host !== '') {
      let r = this.#match(hosts.get(host), path);
      if (r !== undefined) return r;
      const colon = host.lastIndexOf(':');
      const bare = colon > 0 && !host.endsWith(']') ? host.slice(0, colon) : host;
      if (bare !== host) {
        r = this.#match(hosts.get(bare), path);
        if (r !== undefined) return r;
      }
      if (this.#wildcards) {
        for (let dot = bare.indexOf('.'); dot >= 0; dot = bare.indexOf('.', dot + 1)) {
          r = this.#match(hosts.get('*' + bare.slice(dot)), path);
          if (r !== undefined) return r;
        }
      }
    }
    return this.#match(hosts.get(''), path);
  }

  #keys: ReadonlySet<string> | undefined;

  /** Every upstream key in the table (computed once). */
  keys(): ReadonlySet<string> {
    if (this.#keys === undefined) {
      const out = new Set<string>();
      for (const r of this.routes) for (const t of r.targets) if (t.redirect === 0) out.add(t.key);
      this.#keys = out;
    }
    return this.#keys;
  }

  /** JSON dump for `/api/routes`. */
  toJSON(): unknown {
    return this.routes.map((r) => ({
      src: r.src,
      host: r.host,
      path: r.path,
      targets: r.targets.map((t) => ({
        service: t.service,
        dst: t.url,
        weight: Math.round(t.weight * 1e6) / 1e6,
        tags: t.tags,
        opts: t.opts,
        ejectedUntil: t.state.ejectedUntil,
        outstanding: t.state.outstanding,
      })),
    }));
  }
}

/**
 * Builds a table by applying `commands` in order (adds, then dels and weights as they come).
 * Never throws on well-typed commands; an empty command list gives an empty table.
 */
export function buildTable(commands: readonly RouteCommand[], opts: BuildOptions = {}): RouteTable {
  const states = opts.states ?? new UpstreamStates();
  const budgets = opts.budgets ?? new RetryBudgets();
  const matcher = opts.matcher ?? 'prefix';
  const entries = new Map<string, Entry>();
  const weightRules: Extract<RouteCommand, { op: 'weight' }>[] = [];
  for (const c of commands) {
    if (c.op === 'add') {
      const k = `${c.service} ${c.src} ${c.dst}`;
      if (!entries.has(k)) entries.set(k, { cmd: c, fixed: c.weight });
    } else if (c.op === 'del') {
      for (const [k, e] of entries) {
        const m = e.cmd;
        if (c.service !== undefined && m.service !== c.service) continue;
        if (c.src !== undefined && m.src !== c.src) continue;
        if (c.dst !== undefined && m.dst !== c.dst) continue;
        if (!hasAllTags(m.tags, c.tags)) continue;
        entries.delete(k);
      }
    } else {
      weightRules.push(c);
    }
  }
  const bySrc = new Map<string, Entry[]>();
  const down = new Set<string>();
  for (const e of entries.values()) {
    // `status=critical|warning|maintenance`: the instance exists but must get no traffic
    if (e.cmd.opts.status !== undefined) {
      down.add(e.cmd.src);
      continue;
    }
    const list = bySrc.get(e.cmd.src) ?? [];
    list.push(e);
    bySrc.set(e.cmd.src, list);
  }
  const routes: Route[] = [];
  for (const [src, list] of bySrc) {
    for (const rule of weightRules) {
      if (rule.src !== src) continue;
      const hit = list.filter(
        (e) =>
          (rule.service === undefined || e.cmd.service === rule.service) &&
          hasAllTags(e.cmd.tags, rule.tags),
      );
      const rel = hit.reduce((a, e) => a + relWeight(e), 0);
      for (const e of hit) e.fixed = (rule.weight * relWeight(e)) / rel;
    }
    const w = shares(list);
    const targets = list.map((e, i) => parseTarget(e, w[i] as number, states));
    const { host, path } = splitSrc(src);
    routes.push({
      src,
      host,
      path,
      targets,
      wheel: wheelOf(w),
      budget: budgets.get(src),
      counter: 0,
    });
  }
  for (const src of down) {
    if (bySrc.has(src)) continue;
    const { host, path } = splitSrc(src);
    routes.push({ src, host, path, targets: [], wheel: [], budget: budgets.get(src), counter: 0 });
  }
  routes.sort((a, b) =>
    a.host !== b.host
      ? a.host < b.host
        ? -1
        : 1
      : b.path.length - a.path.length || (a.path < b.path ? -1 : 1),
  );
  return new RouteTable(routes, commands.map(formatRouteCommand), matcher);
}
