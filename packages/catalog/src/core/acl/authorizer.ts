/**
 * What a token may do: its merged policy rules evaluated Consul's way. For a named resource
 * the exact rule wins, else the longest matching prefix rule, else the default (allow or deny
 * per `acl.default_policy`; everything for a management token). ACL management itself is never
 * granted by the default policy, only by `acl = ...` rules or management. Pure and immutable.
 */
import {
  GLOBAL,
  type Global,
  type Level,
  type PolicyRules,
  SEGMENTED,
  type Segmented,
} from './rules.js';

type Lookup = { readonly exact: ReadonlyMap<string, Level>; readonly prefixes: [string, Level][] };

const READS: ReadonlySet<Level> = new Set(['read', 'list', 'write']);

export class Authorizer {
  readonly #tables: Record<Segmented, Lookup>;
  readonly #global: Partial<Record<Global, Level>>;

  constructor(
    rules: PolicyRules,
    /** Holds global-management: everything is allowed. */
    readonly management: boolean,
    /** `acl.default_policy = "allow"`: what no rule names is allowed. */
    readonly defaultAllow: boolean,
  ) {
    const tables = {} as Record<Segmented, Lookup>;
    for (const r of SEGMENTED) {
      const s = rules.segmented[r];
      const prefixes = [...s.prefix.entries()].sort((a, b) => b[0].length - a[0].length);
      tables[r] = { exact: new Map(s.exact), prefixes };
    }
    this.#tables = tables;
    this.#global = { ...rules.global };
  }

  /** The level the rules give `name`, or undefined when no rule matches it. */
  #level(resource: Segmented, name: string): Level | undefined {
    const t = this.#tables[resource];
    const exact = t.exact.get(name);
    if (exact !== undefined) return exact;
    for (const [p, level] of t.prefixes) if (name.startsWith(p)) return level;
    return undefined;
  }

  #allows(level: Level | undefined, want: 'read' | 'list' | 'write'): boolean {
    if (this.management) return true;
    if (level === undefined) return this.defaultAllow;
    if (want === 'read') return READS.has(level);
    if (want === 'list') return level === 'list' || level === 'write';
    return level === 'write';
  }

  #seg(resource: Segmented, name: string, want: 'read' | 'list' | 'write'): boolean {
    return this.#allows(this.#level(resource, name), want);
  }

  #glob(resource: Global, want: 'read' | 'write'): boolean {
    if (this.management) return true;
    const level = this.#global[resource];
    if (level === undefined) return resource === 'acl' ? false : this.defaultAllow;
    return want === 'read' ? READS.has(level) : level === 'write';
  }

  keyRead(key: string): boolean {
    return this.#seg('key', key, 'read');
  }
  keyList(prefix: string): boolean {
    return this.#seg('key', prefix, 'list');
  }
  keyWrite(key: string): boolean {
    return this.#seg('key', key, 'write');
  }
  /**
   * Write on every key under `prefix` (a recursive delete): write on the prefix itself and no
   * rule under it that grants less, as Consul's KeyWritePrefix.
   */
  keyWritePrefix(prefix: string): boolean {
    if (this.management) return true;
    if (!this.keyWrite(prefix)) return false;
    const t = this.#tables.key;
    const under = [...t.exact.entries(), ...t.prefixes].filter(([k]) => k.startsWith(prefix));
    return under.every(([, level]) => level === 'write');
  }
  serviceRead(name: string): boolean {
    return this.#seg('service', name, 'read');
  }
  serviceWrite(name: string): boolean {
    return this.#seg('service', name, 'write');
  }
  nodeRead(name: string): boolean {
    return this.#seg('node', name, 'read');
  }
  nodeWrite(name: string): boolean {
    return this.#seg('node', name, 'write');
  }
  /** Sessions are governed by the node they belong to. */
  sessionRead(node: string): boolean {
    return this.#seg('session', node, 'read');
  }
  sessionWrite(node: string): boolean {
    return this.#seg('session', node, 'write');
  }
  agentRead(node: string): boolean {
    return this.#seg('agent', node, 'read');
  }
  agentWrite(node: string): boolean {
    return this.#seg('agent', node, 'write');
  }
  eventRead(name: string): boolean {
    return this.#seg('event', name, 'read');
  }
  eventWrite(name: string): boolean {
    return this.#seg('event', name, 'write');
  }
  queryRead(name: string): boolean {
    return this.#seg('query', name, 'read');
  }
  queryWrite(name: string): boolean {
    return this.#seg('query', name, 'write');
  }
  operatorRead(): boolean {
    return this.#glob('operator', 'read');
  }
  operatorWrite(): boolean {
    return this.#glob('operator', 'write');
  }
  aclRead(): boolean {
    return this.#glob('acl', 'read');
  }
  aclWrite(): boolean {
    return this.#glob('acl', 'write');
  }
  keyringRead(): boolean {
    return this.#glob('keyring', 'read');
  }
  keyringWrite(): boolean {
    return this.#glob('keyring', 'write');
  }
}

/** The authorizer of a catalog with ACLs disabled: everything, ACL management included. */
export const ALLOW_ALL = new Authorizer(
  {
    segmented: Object.fromEntries(
      SEGMENTED.map((r) => [r, { exact: new Map(), prefix: new Map() }]),
    ) as PolicyRules['segmented'],
    global: Object.fromEntries(GLOBAL.map((g) => [g, 'write'])),
  },
  true,
  true,
);
