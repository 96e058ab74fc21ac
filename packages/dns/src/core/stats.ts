/**
 * Hot-path counters: plain typed arrays the server bumps per query, read by the metrics
 * binding at scrape time. Must never allocate or hash labels per query; latency is sampled.
 */
import { TYPE } from './wire.js';

/** Query types counted by name; everything else counts as `other`. */
export const STAT_TYPES = [
  'A',
  'AAAA',
  'SRV',
  'PTR',
  'SOA',
  'NS',
  'ANY',
  'TXT',
  'MX',
  'CNAME',
  'other',
] as const;
/** Response codes counted by name (index = rcode for 0..5, 6 = BADVERS, 7 = other). */
export const STAT_RCODES = [
  'NOERROR',
  'FORMERR',
  'SERVFAIL',
  'NXDOMAIN',
  'NOTIMP',
  'REFUSED',
  'BADVERS',
  'other',
] as const;
/** Transports. */
export const STAT_PROTOS = ['udp', 'tcp'] as const;

const TYPE_INDEX = new Map<number, number>([
  [TYPE.A, 0],
  [TYPE.AAAA, 1],
  [TYPE.SRV, 2],
  [TYPE.PTR, 3],
  [TYPE.SOA, 4],
  [TYPE.NS, 5],
  [TYPE.ANY, 6],
  [TYPE.TXT, 7],
  [TYPE.MX, 8],
  [TYPE.CNAME, 9],
]);

const NT = STAT_TYPES.length;
const NR = STAT_RCODES.length;

/** Samples kept between two scrapes; older ones are overwritten (the histogram is sampled). */
export const LATENCY_RING = 8192;
/** One query in SAMPLE_EVERY has its latency measured. */
export const SAMPLE_EVERY = 8;

/** Counters of one server. */
export class DnsStats {
  /** Answers by [proto][type][rcode], flattened. */
  readonly answers = new Float64Array(STAT_PROTOS.length * NT * NR);
  /** Packets dropped without an answer (too short, a response, or unparseable over TCP). */
  dropped = 0;
  /** Queries sent to recursors, and those where every recursor failed. */
  forwarded = 0;
  forwardFailures = 0;
  /** Queries refused because too many forwards were in flight. */
  forwardOverload = 0;
  /** Latency samples in seconds: a ring the scraper drains. */
  readonly latency = new Float64Array(LATENCY_RING);
  /** Total samples written to `latency` (the write position is `latencyWritten % RING`). */
  latencyWritten = 0;

  /** Index into `answers`. */
  static cell(tcp: boolean, qtype: number, rcode: number): number {
    const t = TYPE_INDEX.get(qtype) ?? NT - 1;
    const r = rcode <= 5 ? rcode : rcode === 16 ? 6 : 7;
    return ((tcp ? 1 : 0) * NT + t) * NR + r;
  }

  /** Counts one answer. */
  count(tcp: boolean, qtype: number, rcode: number): void {
    const i = DnsStats.cell(tcp, qtype, rcode);
    this.answers[i] = (this.answers[i] as number) + 1;
  }

  /** Records one latency sample in seconds. */
  sample(seconds: number): void {
    this.latency[this.latencyWritten % LATENCY_RING] = seconds;
    this.latencyWritten++;
  }

  /** Labels of a cell of `answers`. */
  static labels(i: number): { proto: string; type: string; rcode: string } {
    const r = i % NR;
    const t = Math.floor(i / NR) % NT;
    const p = Math.floor(i / (NR * NT));
    return {
      proto: STAT_PROTOS[p] ?? 'udp',
      type: STAT_TYPES[t] ?? 'other',
      rcode: STAT_RCODES[r] ?? 'other',
    };
  }
}
