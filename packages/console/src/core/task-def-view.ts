/**
 * Task definitions as the console shows them: families with their revisions, and one revision
 * with its JSON, its editable copy and the form fields. Pure; must never call an API.
 */
import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { editableCopy, formFields } from './task-def-form.js';
import type { FamilyRow, TaskDefDetail } from './view-types.js';

/** `hello:3` ARNs (or names) grouped by family, newest revision first. */
export function familyRows(arns: readonly string[]): FamilyRow[] {
  const byFamily = new Map<string, number[]>();
  for (const arn of arns) {
    const name = arn.slice(arn.lastIndexOf('/') + 1);
    const colon = name.lastIndexOf(':');
    if (colon < 0) continue;
    const family = name.slice(0, colon);
    const rev = Number(name.slice(colon + 1));
    if (!Number.isInteger(rev)) continue;
    const list = byFamily.get(family) ?? [];
    list.push(rev);
    byFamily.set(family, list);
  }
  return [...byFamily.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([family, revs]) => {
      const revisions = [...new Set(revs)].sort((a, b) => b - a);
      return { family, revisions, latest: revisions[0] ?? 0 };
    });
}

/** JSON-safe copy of what the SDK returns (Dates as epoch seconds, as the wire has them). */
export function plainJson(v: unknown): unknown {
  if (v instanceof Date) return v.getTime() / 1000;
  if (Array.isArray(v)) return v.map(plainJson);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = plainJson(x);
    return out;
  }
  return v;
}

export function taskDefDetail(td: TaskDefinition): TaskDefDetail {
  const described = plainJson(td) as Record<string, unknown>;
  const editable = editableCopy(described);
  return {
    arn: td.taskDefinitionArn ?? '',
    family: td.family ?? '',
    revision: td.revision ?? 0,
    status: td.status ?? '',
    described,
    editable,
    fields: formFields(editable),
    registeredAt: td.registeredAt ? td.registeredAt.getTime() : undefined,
  };
}
