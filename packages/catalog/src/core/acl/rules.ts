/**
 * Consul ACL policy rules: parsing (HCL or JSON, `parseRules`) into per-resource tables of
 * exact and prefix rules, and merging several policies into one (`mergeRules`: for the same
 * resource and segment the stronger level wins, deny > write > list > read, as Consul's policy
 * merger does). Pure; a rule it cannot read is a RulesError, never silently dropped.
 */
import { parseHcl } from './hcl.js';

export type Level = 'read' | 'list' | 'write' | 'deny';

/** Resources whose rules name a segment (`key_prefix "a/"`, `service "web"`). */
export const SEGMENTED = ['key', 'service', 'node', 'session', 'agent', 'event', 'query'] as const;
export type Segmented = (typeof SEGMENTED)[number];

/** Resources with one level for everything (`operator = "read"`). */
export const GLOBAL = ['operator', 'acl', 'keyring', 'mesh', 'peering'] as const;
export type Global = (typeof GLOBAL)[number];

export interface SegmentRules {
  readonly exact: Map<string, Level>;
  readonly prefix: Map<string, Level>;
}

export interface PolicyRules {
  readonly segmented: Record<Segmented, SegmentRules>;
  readonly global: Partial<Record<Global, Level>>;
}

/** Rules that cannot be read; the message says which. */
export class RulesError extends Error {
  override readonly name = 'RulesError';
}

const RANK: Record<Level, number> = { read: 1, list: 2, write: 3, deny: 4 };

export function emptyRules(): PolicyRules {
  const segmented = {} as Record<Segmented, SegmentRules>;
  for (const r of SEGMENTED) segmented[r] = { exact: new Map(), prefix: new Map() };
  return { segmented, global: {} };
}

function stronger(a: Level | undefined, b: Level): Level {
  return a === undefined || RANK[b] > RANK[a] ? b : a;
}

function levelOf(resource: string, v: unknown, allowList: boolean): Level {
  const ok = allowList ? ['read', 'list', 'write', 'deny'] : ['read', 'write', 'deny'];
  if (typeof v !== 'string' || !ok.includes(v)) {
    throw new RulesError(`Invalid ${resource} policy: ${JSON.stringify(v)}`);
  }
  return v as Level;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses a policy's Rules text (HCL or JSON). Empty rules grant nothing. */
export function parseRules(text: string): PolicyRules {
  const rules = emptyRules();
  if (text.trim() === '') return rules;
  let tree: Record<string, unknown>;
  try {
    tree = parseHcl(text);
  } catch (err) {
    throw new RulesError(`Failed to parse ACL rules: ${(err as Error).message}`);
  }
  for (const [name, body] of Object.entries(tree)) {
    if ((GLOBAL as readonly string[]).includes(name)) {
      rules.global[name as Global] = levelOf(name, body, false);
      continue;
    }
    const prefix = name.endsWith('_prefix');
    const resource = prefix ? name.slice(0, -'_prefix'.length) : name;
    if (!(SEGMENTED as readonly string[]).includes(resource)) {
      // Enterprise and Connect-only resources (partition, namespace, identity...) are read
      // but grant nothing here.
      if (['partition', 'partition_prefix', 'namespace', 'namespace_prefix'].includes(name)) {
        continue;
      }
      if (['identity', 'identity_prefix', 'intention', 'intentions'].includes(name)) continue;
      throw new RulesError(`Invalid ACL rules: unknown resource ${JSON.stringify(name)}`);
    }
    if (!isObj(body)) throw new RulesError(`Invalid ${name} rules: expected a block per segment`);
    const table = rules.segmented[resource as Segmented][prefix ? 'prefix' : 'exact'];
    for (const [segment, rule] of Object.entries(body)) {
      if (!isObj(rule) || !('policy' in rule)) {
        throw new RulesError(`Invalid ${name} ${JSON.stringify(segment)}: missing policy`);
      }
      const level = levelOf(name, rule.policy, resource === 'key');
      table.set(segment, stronger(table.get(segment), level));
    }
  }
  return rules;
}

/** One set of rules holding the strongest level of every rule of every input. */
export function mergeRules(all: readonly PolicyRules[]): PolicyRules {
  const out = emptyRules();
  for (const r of all) {
    for (const res of SEGMENTED) {
      for (const kind of ['exact', 'prefix'] as const) {
        const into = out.segmented[res][kind];
        for (const [seg, level] of r.segmented[res][kind]) {
          into.set(seg, stronger(into.get(seg), level));
        }
      }
    }
    for (const g of GLOBAL) {
      const level = r.global[g];
      if (level !== undefined) out.global[g] = stronger(out.global[g], level);
    }
  }
  return out;
}
