/**
 * Evaluation of a parsed cluster query against one container instance. Pure and allocation-
 * free on the hot path (placement calls it for every candidate instance); must never parse,
 * log or throw for a well-formed query.
 */

import { compareAttribute, compareVersions, parseVersion } from './compare-values.js';
import type {
  ClusterQuery,
  QueryComparison,
  QueryInstance,
  QueryNode,
  QueryValue,
} from './types.js';

/**
 * Whether `instance` is a member of the group `q` describes.
 *
 * Semantics beyond ECS's documentation: a comparison on an attribute the instance lacks is
 * false for every operator but `!exists` (as `attribute:stack != prod` lists only instances that
 * have `stack`); `task:group` holds for `==`, `in`, `=~` when any task group on the instance
 * matches, and `!=`, `!in`, `!~` are their negations (no task group matches).
 */
export function matchesQuery(q: ClusterQuery, instance: QueryInstance): boolean {
  return evalNode(q.root, instance);
}

function evalNode(node: QueryNode, inst: QueryInstance): boolean {
  switch (node.type) {
    case 'compare':
      return evalCompare(node, inst);
    case 'not':
      return !evalNode(node.term, inst);
    case 'and':
      for (const t of node.terms) if (!evalNode(t, inst)) return false;
      return true;
    case 'or':
      for (const t of node.terms) if (evalNode(t, inst)) return true;
      return false;
  }
}

function evalCompare(c: QueryComparison, inst: QueryInstance): boolean {
  const s = c.subject;
  switch (s.kind) {
    case 'attribute': {
      const actual = Object.hasOwn(inst.attributes, s.name) ? inst.attributes[s.name] : undefined;
      if (c.op === 'exists') return actual !== undefined;
      if (c.op === '!exists') return actual === undefined;
      if (actual === undefined) return false;
      return stringOp(c, actual, compareAttribute);
    }
    case 'ec2InstanceId':
      return stringOp(c, inst.ec2InstanceId, compareAttribute);
    case 'agentConnected':
      return stringOp(c, inst.agentConnected ? 'true' : 'false', compareAttribute);
    case 'agentVersion': {
      const actual = inst.agentVersion === undefined ? undefined : parseVersion(inst.agentVersion);
      if (actual === undefined) return false;
      const want = parseVersion(c.values[0]!.text)!;
      return ordered(c.op, compareVersions(actual, want));
    }
    case 'runningTasksCount': {
      const want = c.values[0]!.number!;
      const n = inst.runningTasksCount;
      return ordered(c.op, n < want ? -1 : n > want ? 1 : 0);
    }
    case 'registeredAt': {
      const [from, to] = c.values[0]!.range!;
      const t = inst.registeredAt;
      switch (c.op) {
        case '==':
          return t >= from && t < to;
        case '!=':
          return t < from || t >= to;
        case '>':
          return t >= to;
        case '>=':
          return t >= from;
        case '<':
          return t < from;
        case '<=':
          return t < to;
        default:
          return false;
      }
    }
    case 'task:group': {
      const groups = inst.taskGroups;
      switch (c.op) {
        case 'exists':
          return groups.length > 0;
        case '!exists':
          return groups.length === 0;
        case '==':
        case 'in':
        case '=~':
          return groups.some((g) => stringOp(c, g, compareAttribute));
        case '!=':
          return !groups.some((g) => equalsAny(c.values, g));
        case '!in':
          return !groups.some((g) => equalsAny(c.values, g));
        case '!~':
          return !groups.some((g) => c.values[0]!.pattern!.test(g));
        default:
          return false;
      }
    }
  }
}

function stringOp(
  c: QueryComparison,
  actual: string,
  order: (a: string, b: string) => number,
): boolean {
  switch (c.op) {
    case '==':
    case 'in':
      return equalsAny(c.values, actual);
    case '!=':
    case '!in':
      return !equalsAny(c.values, actual);
    case '=~':
      return c.values[0]!.pattern!.test(actual);
    case '!~':
      return !c.values[0]!.pattern!.test(actual);
    case 'exists':
      return true;
    case '!exists':
      return false;
    default:
      return ordered(c.op, order(actual, c.values[0]!.text));
  }
}

function equalsAny(values: readonly QueryValue[], actual: string): boolean {
  for (const v of values) {
    if (v.pattern !== undefined ? v.pattern.test(actual) : v.text === actual) return true;
  }
  return false;
}

function ordered(op: string, cmp: number): boolean {
  switch (op) {
    case '==':
      return cmp === 0;
    case '!=':
      return cmp !== 0;
    case '>':
      return cmp > 0;
    case '>=':
      return cmp >= 0;
    case '<':
      return cmp < 0;
    case '<=':
      return cmp <= 0;
    default:
      return false;
  }
}
