/**
 * Test fixtures: concise catalog snapshots in the shape @berth/consul yields, and helpers to
 * run `dig`. Shared by the tests of this package; never used by src/.
 */
import { execFile } from 'node:child_process';
import type { CatalogSnapshot, CheckStatus, NodeInfo, ServiceInstance } from '@berth/consul';

/** One instance in test notation; defaults fill the rest. */
export interface Inst {
  service: string;
  id?: string;
  node?: string;
  /** Service address; default: the node's. */
  address?: string;
  port?: number;
  tags?: string[];
  status?: CheckStatus;
  maintenance?: boolean;
}

/** A node in test notation: its address, or its address and metadata. */
export type NodeSpec = string | { address: string; meta: Record<string, string> };

/** A snapshot from instances and nodes (`name: address` or `name: { address, meta }`). */
export function snapshot(
  instances: readonly Inst[],
  nodeSpecs: Record<string, NodeSpec> = { node1: '127.0.0.1' },
  opts: { dc?: string; index?: bigint; fetchedAt?: number } = {},
): CatalogSnapshot {
  const nodeMap = new Map<string, NodeInfo>();
  const nodes: Record<string, string> = {};
  for (const [name, spec] of Object.entries(nodeSpecs)) {
    const address = typeof spec === 'string' ? spec : spec.address;
    const meta = typeof spec === 'string' ? {} : spec.meta;
    nodes[name] = address;
    nodeMap.set(name, { name, address, datacenter: opts.dc ?? 'dc1', meta });
  }
  const services = new Map<string, ServiceInstance[]>();
  instances.forEach((i, n) => {
    const node = i.node ?? 'node1';
    const nodeAddress = nodes[node] ?? '127.0.0.1';
    const status = i.status ?? 'passing';
    const inst: ServiceInstance = {
      id: i.id ?? `${node}:${i.service}:${n}`,
      service: i.service,
      node,
      nodeAddress,
      address: i.address ?? nodeAddress,
      port: i.port ?? 8000 + n,
      tags: i.tags ?? [],
      meta: {},
      checks: [
        {
          id: 'serfHealth',
          name: 'Serf Health Status',
          status: 'passing',
          serviceId: '',
          output: '',
        },
        { id: `service:${n}`, name: 'check', status, serviceId: i.id ?? '', output: '' },
      ],
      status,
      maintenance: i.maintenance ?? false,
      modifyIndex: 1,
    };
    services.set(i.service, [...(services.get(i.service) ?? []), inst]);
  });
  for (const list of services.values()) list.sort((a, b) => (a.id < b.id ? -1 : 1));
  return {
    index: opts.index ?? 10n,
    datacenter: opts.dc ?? 'dc1',
    services,
    nodes: nodeMap,
    fetchedAt: opts.fetchedAt ?? Date.now(),
  };
}

/** Runs /usr/bin/dig and returns stdout. */
export function dig(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/dig', [...args], { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err && !stdout) reject(new Error(`dig ${args.join(' ')}: ${String(err)} ${stderr}`));
      else resolve(stdout);
    });
  });
}

/** The parts of dig's output the tests read. */
export interface DigResult {
  status: string;
  flags: string[];
  answer: string[];
  authority: string[];
  additional: string[];
  size: number;
  /** The reply carried an OPT record. */
  opt: boolean;
}

/** Runs dig against 127.0.0.1:`port` and parses its sections (records as `name ttl class type data`). */
export async function digAt(port: number, args: readonly string[]): Promise<DigResult> {
  const out = await dig([
    '@127.0.0.1',
    '-p',
    String(port),
    '+tries=1',
    '+time=3',
    '+nocookie',
    ...args,
  ]);
  const status = /status: (\w+)/.exec(out)?.[1] ?? '';
  const flags = (/;; flags: ([^;]*);/.exec(out)?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
  const section = (title: string): string[] => {
    const m = new RegExp(`;; ${title} SECTION:\\n([\\s\\S]*?)(?:\\n\\n|$)`).exec(out);
    return (m?.[1] ?? '')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith(';'))
      .map((l) => l.trim().split(/\s+/).join(' '));
  };
  const size = Number(/MSG SIZE\s+rcvd: (\d+)/.exec(out)?.[1] ?? 0);
  return {
    status,
    flags,
    answer: section('ANSWER'),
    authority: section('AUTHORITY'),
    additional: section('ADDITIONAL'),
    size,
    opt: out.includes('OPT PSEUDOSECTION'),
  };
}
