/**
 * berth's alarms as a CloudWatch-compatible subset (issue 21; query protocol, SigV4 service
 * `monitoring`): PutMetricAlarm, DescribeAlarms, DeleteAlarms, DescribeAlarmHistory,
 * SetAlarmState, and GetMetricStatistics over berth's own `AWS/ECS` service metrics. Any
 * replica serves the alarm actions from KV; GetMetricStatistics needs the leader's in-memory
 * metrics (a follower forwards it). Must never write an alarm without CAS.
 */
import type { Body } from '../core/input.js';
import type { ArnScope } from '../core/arn.js';
import { EcsError } from '../errors.js';
import type { QueryApi } from '../adapters/query-protocol.js';
import {
  checkPeriod,
  invalid,
  missingParam,
  qDimensions,
  qEnum,
  qInt,
  qList,
  qRequired,
  qString,
  qTime,
  readAlarm,
} from './alarm-input.js';
import { type AlarmRecord, type AlarmStore, STATISTICS, withHistory } from './alarm-records.js';
import { UNCHANGED } from './cas-update.js';
import type { AlarmState } from './evaluate-alarm.js';
import { ecsMetric, type MetricSeries, statisticOf } from './metric-series.js';

const STATES: readonly AlarmState[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];
const HISTORY_TYPES = ['ConfigurationUpdate', 'StateUpdate', 'Action'] as const;
/** Alarms berth keeps at most. */
const MAX_ALARMS = 5000;

const notFound = (what: string): EcsError =>
  new EcsError('ResourceNotFound', `${what} does not exist.`, 404);

/** An offset page of `items` (MaxRecords, NextToken). */
function page<T>(items: readonly T[], p: Body, dflt: number): { items: T[]; next?: string } {
  const limit = qInt(p, 'MaxRecords', 1, 100) ?? dflt;
  const token = qString(p, 'NextToken');
  let start = 0;
  if (token !== undefined) {
    start = Number(Buffer.from(token, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0) {
      throw new EcsError('InvalidNextToken', 'The service cannot parse the NextToken.');
    }
  }
  const slice = items.slice(start, start + limit);
  return start + limit < items.length
    ? { items: slice, next: Buffer.from(String(start + limit)).toString('base64url') }
    : { items: slice };
}

export class CloudWatchApi {
  readonly #store: AlarmStore;
  readonly #scope: ArnScope;
  readonly #series: () => MetricSeries | undefined;
  readonly #now: () => number;

  constructor(o: {
    store: AlarmStore;
    scope: ArnScope;
    /** The leader's series (undefined until the scaler runs). */
    series: () => MetricSeries | undefined;
    now?: () => number;
  }) {
    this.#store = o.store;
    this.#scope = o.scope;
    this.#series = o.series;
    this.#now = o.now ?? Date.now;
  }

  /** The query API the listener serves. */
  get api(): QueryApi {
    return {
      service: 'monitoring',
      version: '2010-08-01',
      xmlns: 'http://monitoring.amazonaws.com/doc/2010-08-01/',
      handlers: {
        PutMetricAlarm: (p) => this.put(p),
        DescribeAlarms: (p) => this.describe(p),
        DeleteAlarms: (p) => this.delete(p),
        DescribeAlarmHistory: (p) => this.history(p),
        SetAlarmState: (p) => this.setState(p),
        GetMetricStatistics: (p) => this.statistics(p),
      },
      leaderOnly: new Set(['GetMetricStatistics']),
    };
  }

  alarmArn(name: string): string {
    return `arn:aws:cloudwatch:${this.#scope.region}:${this.#scope.accountId}:alarm:${name}`;
  }

  async put(p: Body): Promise<undefined> {
    const c = readAlarm(p);
    const now = this.#now();
    const count = (await this.#store.list()).length;
    await this.#store.update(c.name, (prev) => {
      if (!prev && count >= MAX_ALARMS) {
        throw new EcsError(
          'LimitExceeded',
          `The maximum number of alarms (${MAX_ALARMS}) is reached.`,
        );
      }
      const rec: AlarmRecord = {
        ...c,
        configuredAt: now,
        // An update keeps the state, as on CloudWatch; a new alarm starts without data.
        state: prev?.state ?? 'INSUFFICIENT_DATA',
        stateReason: prev?.stateReason ?? 'Unchecked: Initial alarm creation',
        stateReasonData: prev?.stateReasonData,
        stateUpdatedAt: prev?.stateUpdatedAt ?? now,
        history: prev?.history ?? [],
      };
      return withHistory(rec, {
        at: now,
        type: 'ConfigurationUpdate',
        summary: `Alarm "${c.name}" ${prev ? 'updated' : 'created'}`,
        data: JSON.stringify({ version: '1.0', type: prev ? 'Update' : 'Create', updatedAlarm: c }),
      });
    });
    return undefined;
  }

  #render(a: AlarmRecord): Record<string, unknown> {
    return {
      AlarmName: a.name,
      AlarmArn: this.alarmArn(a.name),
      AlarmDescription: a.description,
      AlarmConfigurationUpdatedTimestamp: new Date(a.configuredAt),
      ActionsEnabled: a.actionsEnabled,
      OKActions: a.okActions,
      AlarmActions: a.alarmActions,
      InsufficientDataActions: a.insufficientDataActions,
      StateValue: a.state,
      StateReason: a.stateReason,
      StateReasonData: a.stateReasonData,
      StateUpdatedTimestamp: new Date(a.stateUpdatedAt),
      MetricName: a.metricName,
      Namespace: a.namespace,
      Statistic: a.statistic,
      Dimensions: a.dimensions.map((d) => ({ Name: d.name, Value: d.value })),
      Period: a.period,
      Unit: a.unit,
      EvaluationPeriods: a.evaluationPeriods,
      DatapointsToAlarm: a.datapointsToAlarm,
      Threshold: a.threshold,
      ComparisonOperator: a.comparison,
      TreatMissingData: a.treatMissingData,
      StateTransitionedTimestamp: new Date(a.stateUpdatedAt),
    };
  }

  async describe(p: Body): Promise<Record<string, unknown>> {
    const names = qList(p, 'AlarmNames', 100);
    const prefix = qString(p, 'AlarmNamePrefix');
    if (names?.length && prefix !== undefined) {
      throw new EcsError(
        'InvalidParameterCombination',
        'The parameters AlarmNames and AlarmNamePrefix cannot be used together.',
      );
    }
    const state = qEnum(p, 'StateValue', STATES);
    const actionPrefix = qString(p, 'ActionPrefix');
    const types = qList(p, 'AlarmTypes', 2);
    let all = await this.#store.list();
    if (names?.length) all = all.filter((a) => names.includes(a.name));
    if (prefix !== undefined) all = all.filter((a) => a.name.startsWith(prefix));
    if (state) all = all.filter((a) => a.state === state);
    if (actionPrefix !== undefined) {
      all = all.filter((a) =>
        [...a.alarmActions, ...a.okActions, ...a.insufficientDataActions].some((x) =>
          x.startsWith(actionPrefix),
        ),
      );
    }
    if (types && !types.includes('MetricAlarm')) all = [];
    const { items, next } = page(all, p, 50);
    return {
      MetricAlarms: items.map((a) => this.#render(a)),
      CompositeAlarms: [],
      NextToken: next,
    };
  }

  async delete(p: Body): Promise<undefined> {
    const names = qList(p, 'AlarmNames', 100);
    if (!names?.length) throw missingParam('AlarmNames');
    const have = new Set((await this.#store.list()).map((a) => a.name));
    const gone = names.filter((n) => !have.has(n));
    if (gone.length) throw notFound(`The alarm(s) ${gone.join(', ')}`);
    for (const n of names) await this.#store.update(n, () => null);
    return undefined;
  }

  async history(p: Body): Promise<Record<string, unknown>> {
    const name = qString(p, 'AlarmName');
    const type = qEnum(p, 'HistoryItemType', HISTORY_TYPES);
    const start = qTime(p, 'StartDate') ?? -Infinity;
    const end = qTime(p, 'EndDate') ?? Infinity;
    const scan = qEnum(p, 'ScanBy', ['TimestampDescending', 'TimestampAscending'] as const);
    const rows = (await this.#store.list())
      .filter((a) => name === undefined || a.name === name)
      .flatMap((a) => a.history.map((h) => ({ a, h })))
      .filter(({ h }) => (!type || h.type === type) && h.at >= start && h.at <= end)
      .sort((x, y) => (scan === 'TimestampAscending' ? x.h.at - y.h.at : y.h.at - x.h.at));
    const { items, next } = page(rows, p, 100);
    return {
      AlarmHistoryItems: items.map(({ a, h }) => ({
        AlarmName: a.name,
        AlarmType: 'MetricAlarm',
        Timestamp: new Date(h.at),
        HistoryItemType: h.type,
        HistorySummary: h.summary,
        HistoryData: h.data,
      })),
      NextToken: next,
    };
  }

  async setState(p: Body): Promise<undefined> {
    const name = qRequired(p, 'AlarmName');
    const state = qEnum(p, 'StateValue', STATES);
    if (!state) throw missingParam('StateValue');
    const reason = qString(p, 'StateReason');
    if (reason === undefined) throw missingParam('StateReason');
    const data = qString(p, 'StateReasonData');
    if (data !== undefined) {
      try {
        JSON.parse(data);
      } catch {
        throw new EcsError('InvalidFormat', 'The parameter StateReasonData must be JSON text.');
      }
    }
    const now = this.#now();
    let found = false;
    await this.#store.update(name, (prev) => {
      found = prev !== undefined;
      if (!prev) return UNCHANGED;
      const next: AlarmRecord = {
        ...prev,
        state,
        stateReason: reason,
        stateReasonData: data,
        stateUpdatedAt: now,
        // The leader runs the new state's actions on its next pass.
        actionsDue: prev.actionsEnabled,
      };
      if (prev.state === state) return next;
      return withHistory(next, {
        at: now,
        type: 'StateUpdate',
        summary: `Alarm updated from ${prev.state} to ${state}`,
        data: JSON.stringify({
          version: '1.0',
          oldState: { stateValue: prev.state, stateReason: prev.stateReason },
          newState: { stateValue: state, stateReason: reason },
        }),
      });
    });
    if (!found) throw notFound(`The alarm ${name}`);
    return undefined;
  }

  async statistics(p: Body): Promise<Record<string, unknown>> {
    const namespace = qRequired(p, 'Namespace');
    const metricName = qRequired(p, 'MetricName');
    const start = qTime(p, 'StartTime');
    if (start === undefined) throw missingParam('StartTime');
    const end = qTime(p, 'EndTime');
    if (end === undefined) throw missingParam('EndTime');
    const period = qInt(p, 'Period', 1, 86_400 * 7);
    if (period === undefined) throw missingParam('Period');
    checkPeriod('Period', period);
    if (start >= end) {
      throw invalid('The parameter StartTime must be less than the parameter EndTime.');
    }
    if (p['ExtendedStatistics'] !== undefined) {
      throw invalid('The parameter ExtendedStatistics is not supported by berth.');
    }
    const stats = qList(p, 'Statistics', 5) ?? [];
    if (stats.length === 0) {
      throw new EcsError(
        'InvalidParameterCombination',
        'At least one of the parameters Statistics and ExtendedStatistics must be specified.',
      );
    }
    for (const s of stats) {
      if (!(STATISTICS as readonly string[]).includes(s)) {
        throw invalid(`The parameter Statistics must hold ${STATISTICS.join(', ')}, got ${s}.`);
      }
    }
    const asked = Math.ceil((end - start) / (period * 1000));
    if (asked > 1440) {
      throw new EcsError(
        'InvalidParameterCombination',
        `You have requested up to ${asked} datapoints, which exceeds the limit of 1440.`,
      );
    }
    const m = ecsMetric(namespace, metricName, qDimensions(p));
    const points = m
      ? (this.#series()?.datapoints(m.service, m.metric, start, end, period) ?? [])
      : [];
    const unit = qString(p, 'Unit');
    return {
      Label: metricName,
      Datapoints:
        unit !== undefined && unit !== 'Percent'
          ? []
          : points.map((d) => ({
              Timestamp: new Date(d.start),
              ...Object.fromEntries(
                stats.map((s) => [s, statisticOf(d, s as (typeof STATISTICS)[number])]),
              ),
              Unit: 'Percent',
            })),
    };
  }
}
