/**
 * The working state of one placement call: instance resources copied into typed arrays,
 * constraint results, group counts and spread buckets, updated in place as each task lands
 * so later tasks of the same call see it. One linear scan per task over the candidates, no
 * sorting. Pure: never mutates its inputs, never reads the clock; randomness comes from the
 * request.
 */

import type { ClusterQuery } from '../query/index.js';
import { MemberOf } from './member-of.js';
import { fillGroupCounts, spreadBuckets } from './task-groups.js';
import type {
  PlacementFailure,
  PlacementFailureReason,
  PlacementInstance,
  PlacementRequest,
} from './types.js';

/** Rejection codes, in the order instances are checked. */
const OK = 0;
const INACTIVE = 1;
const AGENT = 2;
const MEMBER_OF = 3;
const DISTINCT = 4;
const CPU = 5;
const MEMORY = 6;
const PORTS = 7;

const REASONS: readonly PlacementFailureReason[] = [
  'INACTIVE', // unused slot for OK
  'INACTIVE',
  'AGENT',
  'ATTRIBUTE',
  'ATTRIBUTE',
  'RESOURCE:CPU',
  'RESOURCE:MEMORY',
  'RESOURCE:PORTS',
];

/** Strategy key kinds: lower key wins. */
const BINPACK_CPU = 0;
const BINPACK_MEMORY = 1;
const SPREAD_INSTANCE = 2;
const SPREAD_ATTRIBUTE = 3;

/** See the module comment. */
export class PlacementEngine {
  private readonly n: number;
  private readonly group: string;
  private readonly cpu: number;
  private readonly memory: number;
  private readonly tcp: readonly number[];
  private readonly udp: readonly number[];
  private readonly needPorts: boolean;
  private readonly memberOf: MemberOf;
  private readonly dynamicQueries: boolean;
  private readonly distinct: boolean;
  private readonly needGroups: boolean;
  /** Static rejection (status, agent, memberOf); re-evaluated for an instance that took a task. */
  private readonly rejected: Uint8Array;
  private readonly remCpu: Float64Array;
  private readonly remMem: Float64Array;
  /** Tasks of the request's group on each instance, including ones placed in this call. */
  private readonly groupCount: Float64Array;
  /** Tasks placed on each instance by this call. */
  private readonly placed: Int32Array;
  private readonly addedTcp = new Map<number, Set<number>>();
  private readonly addedUdp = new Map<number, Set<number>>();
  /** Indices that passed the static checks, in input order. */
  private readonly candidates: Int32Array;
  /** Strategy keys before the first `random`, and whether a random tie-break follows. */
  private readonly keyKinds: number[] = [];
  private readonly bucketOf: Int32Array[] = [];
  private readonly bucketCount: Float64Array[] = [];
  private readonly useRandom: boolean;
  private readonly random: () => number;
  /** Whether the first strategy is a binpack the request's resources strictly shrink. */
  private readonly shrinksPrimary: boolean;
  private readonly checkOthers: boolean;
  /** The instance chosen for the previous task of this call. */
  private last = -1;
  /** Whether the only strategy is spread instanceId (no random), for the cursor below. */
  private readonly spreadCursor: boolean;
  /** Position in `candidates` of the last choice, and its task count before the commit. */
  private cursorPos = -1;
  private cursorLevel = 0;
  private readonly ties: Int32Array;

  constructor(
    private readonly instances: readonly PlacementInstance[],
    request: PlacementRequest,
  ) {
    const n = (this.n = instances.length);
    this.group = request.group ?? `family:${request.family}`;
    this.cpu = request.resources.cpu;
    this.memory = request.resources.memory;
    this.tcp = request.resources.tcpPorts;
    this.udp = request.resources.udpPorts;
    this.needPorts = this.tcp.length > 0 || this.udp.length > 0;
    this.random = request.random ?? Math.random;
    this.distinct = request.constraints.some((c) => c.type === 'distinctInstance');
    this.memberOf = new MemberOf(request.constraints);
    this.dynamicQueries = this.memberOf.dynamic;

    let random = false;
    for (const s of request.strategies) {
      if (s.type === 'random') {
        random = true;
        break;
      }
      if (s.type === 'binpack')
        this.keyKinds.push(s.field === 'memory' ? BINPACK_MEMORY : BINPACK_CPU);
      else if (s.field === undefined || s.field === 'instanceId' || s.field === 'host') {
        this.keyKinds.push(SPREAD_INSTANCE);
      } else this.keyKinds.push(SPREAD_ATTRIBUTE);
    }
    // No strategy at all: ECS's RunTask default is random.
    this.useRandom = random || request.strategies.length === 0;
    this.shrinksPrimary =
      (this.keyKinds[0] === BINPACK_CPU && this.cpu > 0) ||
      (this.keyKinds[0] === BINPACK_MEMORY && this.memory > 0);
    this.checkOthers = this.distinct || this.needPorts;
    this.spreadCursor =
      this.keyKinds.length === 1 && this.keyKinds[0] === SPREAD_INSTANCE && !this.useRandom;
    this.ties = new Int32Array(this.useRandom ? n : 0);
    this.needGroups =
      this.distinct ||
      this.keyKinds.includes(SPREAD_INSTANCE) ||
      this.keyKinds.includes(SPREAD_ATTRIBUTE) ||
      this.dynamicQueries;

    this.rejected = new Uint8Array(n);
    this.remCpu = new Float64Array(n);
    this.remMem = new Float64Array(n);
    this.groupCount = new Float64Array(n);
    this.placed = new Int32Array(n);
    const candidates = new Int32Array(n);
    let c = 0;
    const hasQueries = !this.memberOf.empty;
    for (let i = 0; i < n; i++) {
      const inst = instances[i]!;
      const remaining = inst.remaining;
      this.remCpu[i] = remaining.cpu;
      this.remMem[i] = remaining.memory;
      let r = inst.status !== 'ACTIVE' ? INACTIVE : inst.agentConnected !== true ? AGENT : OK;
      if (r === OK && hasQueries && this.failingQuery(i) !== undefined) r = MEMBER_OF;
      this.rejected[i] = r;
      if (r === OK) candidates[c++] = i;
    }
    this.candidates = candidates.subarray(0, c);
    if (this.needGroups) fillGroupCounts(instances, this.group, this.candidates, this.groupCount);

    let s = 0;
    for (const strategy of request.strategies) {
      if (strategy.type === 'random') break;
      if (this.keyKinds[s] === SPREAD_ATTRIBUTE) {
        const attribute = strategy.field!.slice(10);
        const b = spreadBuckets(this.instances, this.candidates, this.groupCount, attribute);
        this.bucketOf.push(b.bucketOf);
        this.bucketCount.push(b.counts);
      } else {
        this.bucketOf.push(new Int32Array(0));
        this.bucketCount.push(new Float64Array(0));
      }
      s++;
    }
  }

  /** Chooses the instance for the next task, or -1 when none can take it. */
  choose(): number {
    // binpack first: the instance just chosen lost resources, so it is now strictly the
    // tightest fit; when it still fits, a full scan would pick it again.
    const last = this.last;
    if (last >= 0 && this.shrinksPrimary && this.rejected[last] === OK && this.fitFast(last)) {
      return last;
    }
    const candidates = this.candidates;
    if (this.spreadCursor && this.cursorPos >= 0) {
      // spread instanceId alone: every candidate before the cursor either is full or already
      // has more tasks, so the earliest fitting one after it with the same count is what a
      // full scan would choose.
      const level = this.cursorLevel;
      const counts = this.groupCount;
      for (let c = this.cursorPos + 1; c < candidates.length; c++) {
        const i = candidates[c]!;
        if (counts[i] === level && this.fitFast(i)) {
          this.cursorPos = c;
          return i;
        }
      }
    }
    const m = this.keyKinds.length;
    if (m === 0) {
      // Random first: sample candidates uniformly and keep the first that fits, which is
      // uniform over the ones that fit; fall back to a scan when few do.
      for (let attempt = 0; attempt < 8 && candidates.length > 0; attempt++) {
        const r = Math.floor(this.random() * candidates.length);
        const i = candidates[Math.min(candidates.length - 1, r)]!;
        if (this.fitFast(i)) return i;
      }
    }
    const kind0 = m > 0 ? this.keyKinds[0]! : -1;
    const direct0 = m > 0 ? this.directKey(0) : undefined;
    const bucketOf0 = this.bucketOf[0];
    const bucketCount0 = this.bucketCount[0];
    const useRandom = this.useRandom;
    const tieBuffer = this.ties;
    let best = -1;
    let bestPos = -1;
    let best0 = Infinity;
    let ties = 0;
    const rejected = this.rejected;
    const remCpu = this.remCpu;
    const remMem = this.remMem;
    const cpu = this.cpu;
    const memory = this.memory;
    const checkOthers = this.checkOthers;
    for (let c = 0; c < candidates.length; c++) {
      const i = candidates[c]!;
      if (rejected[i] !== OK || remCpu[i]! < cpu || remMem[i]! < memory) continue;
      if (checkOthers && this.fit(i) !== OK) continue;
      if (m === 0) {
        tieBuffer[ties++] = i;
        continue;
      }
      const v = kind0 === SPREAD_ATTRIBUTE ? bucketCount0![bucketOf0![i]!]! : direct0![i]!;
      if (v > best0) continue;
      const cmp = best < 0 || v < best0 ? -1 : m > 1 ? this.compareRest(i, best) : 0;
      if (cmp < 0) {
        best = i;
        bestPos = c;
        best0 = v;
        ties = 0;
        if (useRandom) tieBuffer[ties++] = i;
      } else if (cmp === 0 && useRandom) {
        tieBuffer[ties++] = i;
      }
    }
    if (ties > 1) best = tieBuffer[Math.min(ties - 1, Math.floor(this.random() * ties))]!;
    else if (ties === 1) best = tieBuffer[0]!;
    if (this.spreadCursor) {
      this.cursorPos = bestPos;
      this.cursorLevel = best0;
    }
    return best;
  }

  private fitFast(i: number): boolean {
    return (
      this.rejected[i] === OK &&
      this.remCpu[i]! >= this.cpu &&
      this.remMem[i]! >= this.memory &&
      (!this.checkOthers || this.fit(i) === OK)
    );
  }

  /** Compares strategy keys after the first: negative when `i` is better than `j`. */
  private compareRest(i: number, j: number): number {
    for (let k = 1; k < this.keyKinds.length; k++) {
      const a = this.key(k, i);
      const b = this.key(k, j);
      if (a !== b) return a < b ? -1 : 1;
    }
    return 0;
  }

  private directKey(k: number): Float64Array | undefined {
    switch (this.keyKinds[k]) {
      case BINPACK_CPU:
        return this.remCpu;
      case BINPACK_MEMORY:
        return this.remMem;
      case SPREAD_INSTANCE:
        return this.groupCount;
      default:
        return undefined;
    }
  }

  /** Why instance `i` cannot take the next task now, or undefined when it can. */
  reason(i: number): PlacementFailure | undefined {
    const r = this.rejected[i] !== OK ? this.rejected[i]! : this.fit(i);
    if (r === OK) return undefined;
    const inst = this.instances[i]!;
    return { arn: inst.arn, reason: REASONS[r]!, detail: this.detail(i, r) };
  }

  /** Every instance's reason for refusing the next task. */
  failures(): PlacementFailure[] {
    const out: PlacementFailure[] = [];
    for (let i = 0; i < this.n; i++) {
      const f = this.reason(i);
      if (f !== undefined) out.push(f);
    }
    return out;
  }

  /** Records a task placed on instance `i`. */
  commit(i: number): void {
    this.last = i;
    this.remCpu[i]! -= this.cpu;
    this.remMem[i]! -= this.memory;
    this.placed[i]! += 1;
    this.groupCount[i]! += 1;
    for (let k = 0; k < this.keyKinds.length; k++) {
      if (this.keyKinds[k] === SPREAD_ATTRIBUTE) this.bucketCount[k]![this.bucketOf[k]![i]!]! += 1;
    }
    if (this.tcp.length > 0) addAll(this.addedTcp, i, this.tcp);
    if (this.udp.length > 0) addAll(this.addedUdp, i, this.udp);
    if (this.dynamicQueries && this.rejected[i] === OK) this.rejected[i] = this.staticCheck(i);
  }

  private key(k: number, i: number): number {
    switch (this.keyKinds[k]) {
      case BINPACK_CPU:
        return this.remCpu[i]!;
      case BINPACK_MEMORY:
        return this.remMem[i]!;
      case SPREAD_INSTANCE:
        return this.groupCount[i]!;
      default:
        return this.bucketCount[k]![this.bucketOf[k]![i]!]!;
    }
  }

  private fit(i: number): number {
    if (this.distinct && this.groupCount[i]! > 0) return DISTINCT;
    if (this.remCpu[i]! < this.cpu) return CPU;
    if (this.remMem[i]! < this.memory) return MEMORY;
    if (this.needPorts && this.portTaken(i) !== undefined) return PORTS;
    return OK;
  }

  private portTaken(i: number): string | undefined {
    const rem = this.instances[i]!.remaining;
    for (const p of this.tcp) {
      if (rem.tcpPorts.has(p) || this.addedTcp.get(i)?.has(p) === true) return `tcp/${p}`;
    }
    for (const p of this.udp) {
      if (rem.udpPorts.has(p) || this.addedUdp.get(i)?.has(p) === true) return `udp/${p}`;
    }
    return undefined;
  }

  private staticCheck(i: number): number {
    const inst = this.instances[i]!;
    if (inst.status !== 'ACTIVE') return INACTIVE;
    if (!inst.agentConnected) return AGENT;
    return this.failingQuery(i) === undefined ? OK : MEMBER_OF;
  }

  private failingQuery(i: number): ClusterQuery | undefined {
    return this.memberOf.failing(this.instances[i]!, this.placed[i]!, this.group);
  }

  private detail(i: number, r: number): string {
    const inst = this.instances[i]!;
    switch (r) {
      case INACTIVE:
        return `instance status is ${inst.status}`;
      case AGENT:
        return 'agent is disconnected';
      case MEMBER_OF:
        return `memberOf(${this.failingQuery(i)?.expression ?? ''}) does not match`;
      case DISTINCT:
        return `distinctInstance: already runs a task of ${this.group}`;
      case CPU:
        return `needs ${this.cpu} CPU units, ${this.remCpu[i]} remaining`;
      case MEMORY:
        return `needs ${this.memory} MiB, ${this.remMem[i]} remaining`;
      default:
        return `port ${this.portTaken(i) ?? ''} is in use`;
    }
  }
}

function addAll(added: Map<number, Set<number>>, i: number, ports: readonly number[]): void {
  let set = added.get(i);
  if (set === undefined) added.set(i, (set = new Set()));
  for (const p of ports) set.add(p);
}
