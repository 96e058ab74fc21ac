/**
 * Readers for CloudWatch query-protocol params (strings at the leaves, lists as arrays, ''
 * for an empty list) and PutMetricAlarm's checks, failing as CloudWatch does:
 * `MissingParameter` for an absent required field, `InvalidParameterValue` naming the field
 * for a bad one. Pure.
 */
import { EcsError } from '../errors.js';
import type { Body } from '../core/input.js';
import { COMPARISONS, MISSING_DATA, type Comparison, type MissingData } from './evaluate-alarm.js';
import { STATISTICS, type Statistic } from './alarm-records.js';
import { parsePolicyArn } from './step-policy.js';

export const invalid = (message: string): EcsError =>
  new EcsError('InvalidParameterValue', message);
export const missingParam = (field: string): EcsError =>
  new EcsError('MissingParameter', `The parameter ${field} is required.`);

export function qString(p: Body, field: string): string | undefined {
  const v = p[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw invalid(`The parameter ${field} must be a string.`);
  return v;
}

export function qRequired(p: Body, field: string): string {
  const v = qString(p, field);
  if (v === undefined || v === '') throw missingParam(field);
  return v;
}

export function qNumber(p: Body, field: string): number | undefined {
  const v = qString(p, field);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) {
    throw invalid(`The parameter ${field} must be a number, got ${JSON.stringify(v)}.`);
  }
  return n;
}

export function qInt(p: Body, field: string, min: number, max: number): number | undefined {
  const n = qNumber(p, field);
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw invalid(`The parameter ${field} must be an integer between ${min} and ${max}.`);
  }
  return n;
}

export function qBool(p: Body, field: string): boolean | undefined {
  const v = qString(p, field);
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') throw invalid(`The parameter ${field} must be true or false.`);
  return v === 'true';
}

export function qList(p: Body, field: string, max: number): string[] | undefined {
  const v = p[field];
  if (v === undefined) return undefined;
  if (v === '') return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
    throw invalid(`The parameter ${field} must be a list of strings.`);
  }
  if (v.length > max) throw invalid(`The parameter ${field} must have at most ${max} members.`);
  return v as string[];
}

export function qTime(p: Body, field: string): number | undefined {
  const v = qString(p, field);
  if (v === undefined) return undefined;
  const t = /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v);
  if (!Number.isFinite(t)) throw invalid(`The parameter ${field} must be a timestamp.`);
  return t;
}

export function qEnum<T extends string>(
  p: Body,
  field: string,
  values: readonly T[],
): T | undefined {
  const v = qString(p, field);
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v)) {
    throw invalid(`The parameter ${field} must be one of ${values.join(', ')}, got ${v}.`);
  }
  return v as T;
}

/** A period CloudWatch and berth accept: 10, 30 or a multiple of 60 seconds. */
export function checkPeriod(field: string, period: number): void {
  if (!(period === 10 || period === 30 || (period % 60 === 0 && period > 0))) {
    throw invalid(`The parameter ${field} must be 10, 30 or a multiple of 60.`);
  }
}

export function qDimensions(p: Body): { name: string; value: string }[] {
  const v = p['Dimensions'];
  if (v === undefined || v === '') return [];
  if (!Array.isArray(v)) throw invalid('The parameter Dimensions must be a list.');
  if (v.length > 30) throw invalid('The parameter Dimensions must have at most 30 members.');
  return v.map((d: unknown, k) => {
    const b = (typeof d === 'object' && d !== null ? d : {}) as Body;
    const name = qString(b, 'Name');
    const value = qString(b, 'Value');
    if (!name) throw missingParam(`Dimensions.member.${k + 1}.Name`);
    if (value === undefined) throw missingParam(`Dimensions.member.${k + 1}.Value`);
    return { name, value };
  });
}

/** PutMetricAlarm's fields, checked. */
export interface AlarmConfig {
  readonly name: string;
  readonly description: string | undefined;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: { name: string; value: string }[];
  readonly statistic: Statistic;
  readonly period: number;
  readonly unit: string | undefined;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparison: Comparison;
  readonly treatMissingData: MissingData;
  readonly actionsEnabled: boolean;
  readonly alarmActions: string[];
  readonly okActions: string[];
  readonly insufficientDataActions: string[];
}

function actions(p: Body, field: string): string[] {
  const list = qList(p, field, 5) ?? [];
  for (const arn of list) {
    if (!parsePolicyArn(arn)) {
      throw invalid(
        `The parameter ${field} holds ${arn}: berth's alarms run Application Auto Scaling ` +
          `policies of ECS services (arn:aws:autoscaling:...:scalingPolicy:...).`,
      );
    }
  }
  return list;
}

export function readAlarm(p: Body): AlarmConfig {
  const name = qRequired(p, 'AlarmName');
  if (name.length > 255) throw invalid('The parameter AlarmName must be at most 255 characters.');
  for (const f of ['Metrics', 'ExtendedStatistic', 'ThresholdMetricId']) {
    if (p[f] !== undefined) throw invalid(`The parameter ${f} is not supported by berth.`);
  }
  const namespace = qRequired(p, 'Namespace');
  const metricName = qRequired(p, 'MetricName');
  const statistic = qEnum(p, 'Statistic', STATISTICS);
  if (!statistic) throw missingParam('Statistic');
  const period = qInt(p, 'Period', 1, 86_400);
  if (period === undefined) throw missingParam('Period');
  checkPeriod('Period', period);
  const evaluationPeriods = qInt(p, 'EvaluationPeriods', 1, 10_000);
  if (evaluationPeriods === undefined) throw missingParam('EvaluationPeriods');
  if (period * evaluationPeriods > 3600) {
    throw invalid(
      'The parameter EvaluationPeriods times Period must be at most 3600 seconds: berth keeps ' +
        'one hour of metrics.',
    );
  }
  const m = qInt(p, 'DatapointsToAlarm', 1, 10_000) ?? evaluationPeriods;
  if (m > evaluationPeriods) {
    throw invalid(
      'The parameter DatapointsToAlarm must be less than or equal to EvaluationPeriods.',
    );
  }
  const threshold = qNumber(p, 'Threshold');
  if (threshold === undefined) throw missingParam('Threshold');
  const comparison = qString(p, 'ComparisonOperator');
  if (!comparison) throw missingParam('ComparisonOperator');
  if (!(COMPARISONS as readonly string[]).includes(comparison)) {
    throw invalid(
      `The parameter ComparisonOperator must be one of ${COMPARISONS.join(', ')}, got ${comparison}.`,
    );
  }
  const description = qString(p, 'AlarmDescription');
  if (description !== undefined && description.length > 1024) {
    throw invalid('The parameter AlarmDescription must be at most 1024 characters.');
  }
  return {
    name,
    description,
    namespace,
    metricName,
    dimensions: qDimensions(p),
    statistic,
    period,
    unit: qString(p, 'Unit'),
    evaluationPeriods,
    datapointsToAlarm: m,
    threshold,
    comparison: comparison as Comparison,
    treatMissingData: qEnum(p, 'TreatMissingData', MISSING_DATA) ?? 'missing',
    actionsEnabled: qBool(p, 'ActionsEnabled') ?? true,
    alarmActions: actions(p, 'AlarmActions'),
    okActions: actions(p, 'OKActions'),
    insufficientDataActions: actions(p, 'InsufficientDataActions'),
  };
}
