/**
 * What berth keeps of a CloudWatch-compatible metric alarm (issue 21): one KV record per
 * alarm holding its configuration, its state and its latest history items, so one CAS write
 * changes it whole; the KV layout and the CAS store. Must never write without CAS, and never
 * loop forever (ConcurrentUpdate after 8 tries).
 */
import type { ConsulKv } from '@berth/consul';
import { EcsError } from '../errors.js';
import { casUpdate, type UNCHANGED } from './cas-update.js';
import type { AlarmState, Comparison, MissingData } from './evaluate-alarm.js';

export type Statistic = 'Average' | 'Minimum' | 'Maximum' | 'SampleCount' | 'Sum';
export const STATISTICS: readonly Statistic[] = [
  'Average',
  'Minimum',
  'Maximum',
  'SampleCount',
  'Sum',
];

/** History items kept per alarm (newest first). */
export const MAX_HISTORY = 100;

export interface HistoryItem {
  readonly at: number;
  readonly type: 'ConfigurationUpdate' | 'StateUpdate' | 'Action';
  readonly summary: string;
  /** JSON text, as CloudWatch's HistoryData. */
  readonly data: string;
}

export interface AlarmRecord {
  readonly name: string;
  readonly description?: string | undefined;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: readonly { readonly name: string; readonly value: string }[];
  readonly statistic: Statistic;
  readonly period: number;
  readonly unit?: string | undefined;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparison: Comparison;
  readonly treatMissingData: MissingData;
  readonly actionsEnabled: boolean;
  readonly alarmActions: readonly string[];
  readonly okActions: readonly string[];
  readonly insufficientDataActions: readonly string[];
  readonly configuredAt: number;
  readonly state: AlarmState;
  readonly stateReason: string;
  readonly stateReasonData?: string | undefined;
  readonly stateUpdatedAt: number;
  /** SetAlarmState changed the state: the leader runs its actions on its next pass. */
  readonly actionsDue?: boolean | undefined;
  /** Newest first, at most MAX_HISTORY. */
  readonly history: readonly HistoryItem[];
}

/** The record with `items` first (given oldest first), the list bounded. */
export function withHistory(r: AlarmRecord, ...items: HistoryItem[]): AlarmRecord {
  return { ...r, history: [...items.reverse(), ...r.history].slice(0, MAX_HISTORY) };
}

export class AlarmStore {
  readonly #kv: ConsulKv;
  readonly root: string;

  constructor(kv: ConsulKv, prefix: string) {
    this.#kv = kv;
    this.root = `${prefix}autoscaling/alarms/`;
  }

  key(name: string): string {
    return this.root + encodeURIComponent(name);
  }

  /** Every alarm, sorted by name. */
  async list(): Promise<AlarmRecord[]> {
    const out: AlarmRecord[] = [];
    for (const e of await this.#kv.getTree(this.root)) {
      if (e.value === null) continue;
      try {
        out.push(JSON.parse(e.value) as AlarmRecord);
      } catch {
        // A foreign or torn value is skipped, not fatal to the others.
      }
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Applies `fn` to the current record (undefined when absent) and CAS-writes its result;
   * `null` deletes; `UNCHANGED` writes nothing. Returns what was written (or kept).
   */
  async update(
    name: string,
    fn: (prev: AlarmRecord | undefined) => AlarmRecord | null | typeof UNCHANGED,
  ): Promise<AlarmRecord | undefined> {
    return casUpdate(
      this.#kv,
      this.key(name),
      fn,
      () => new EcsError('ConcurrentUpdate', 'Concurrent updates to the alarm; retry.', 400),
    );
  }
}
