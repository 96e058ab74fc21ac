/**
 * DeleteTaskDefinitions (up to 10 `family:revision` or ARNs, each INACTIVE first): the
 * revisions turn DELETE_IN_PROGRESS, can no longer run tasks or start services, and are
 * removed once no task, service deployment or task set uses them (checked now and by the
 * leader's periodic sweep). A family's highest revision leaves a tombstone so the next
 * RegisterTaskDefinition never reuses its number (ECS: "the revision is incremented the next
 * time you create a task definition with that name"). Must never remove a revision in use.
 */
import type { TxnOp } from '@berth/consul';
import { invalidParameter } from '../errors.js';
import type { TaskDefRec } from '../state/records.js';
import { parseArn, taskDefinitionArn } from '../core/arn.js';
import { optStringList } from '../core/input.js';
import type { ApiContext, Handler } from './context.js';
import { renderTaskDef } from './render.js';

const REASONS = {
  invalid:
    'The specified task definition identifier is invalid. Specify a valid name or ARN and try again.',
  missing:
    'The specified task definition does not exist. Specify a valid account, family, revision and try again.',
  active:
    'The specified task definition is still in ACTIVE status. Please deregister the target and try again.',
};

function lookup(ctx: ApiContext, ref: string): { td?: TaskDefRec; arn: string; reason?: string } {
  const text = ref.startsWith('arn:') ? (parseArn(ref)?.name ?? '') : ref;
  const colon = text.lastIndexOf(':');
  const rev = Number(text.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(rev) || rev < 1) return { arn: ref, reason: REASONS.invalid };
  const family = text.slice(0, colon);
  const arn = ref.startsWith('arn:') ? ref : taskDefinitionArn(ctx.state.scope, family, rev);
  const td = ctx.state.taskDefs.get(family)?.get(rev);
  if (!td || td.status === 'DELETED') return { arn, reason: REASONS.missing };
  if (td.status === 'ACTIVE') return { arn, reason: REASONS.active };
  return { td, arn };
}

export const deleteTaskDefinitions: Handler = async (ctx, body) => {
  const refs = optStringList(body, 'taskDefinitions');
  if (!refs || refs.length === 0)
    throw invalidParameter('taskDefinitions can not be null or empty.');
  if (refs.length > 10) throw invalidParameter('taskDefinitions can have at most 10 items.');
  const failures: { arn: string; reason: string }[] = [];
  const marked: TaskDefRec[] = [];
  const ops: TxnOp[] = [];
  for (const ref of refs) {
    const { td, arn, reason } = lookup(ctx, ref);
    if (!td) {
      failures.push({ arn, reason: reason ?? REASONS.missing });
      continue;
    }
    const next: TaskDefRec = { ...td, status: 'DELETE_IN_PROGRESS' };
    if (marked.some((m) => m.family === td.family && m.revision === td.revision)) continue;
    marked.push(next);
    if (td.status !== 'DELETE_IN_PROGRESS') {
      ops.push({
        verb: 'set',
        key: ctx.layout.taskDef(td.family, td.revision),
        value: JSON.stringify(next),
      });
    }
  }
  await ctx.persist.write(ops);
  for (const td of marked) ctx.state.taskDefs.get(td.family)?.set(td.revision, td);
  const answer = marked.map((td) => renderTaskDef(ctx.state.scope, td));
  await purgeDeletedTaskDefinitions(ctx);
  return { taskDefinitions: answer, failures };
};

/** `family:revision` of every task definition a task, deployment or task set still uses. */
function inUse(ctx: ApiContext): Set<string> {
  const used = new Set<string>();
  for (const t of ctx.state.tasks.values()) used.add(t.rec.taskDefinition);
  const name = (arn: string): string => arn.slice(arn.lastIndexOf('/') + 1);
  for (const s of ctx.state.services.values()) {
    if (s.status === 'INACTIVE') continue;
    for (const d of s.deployments) used.add(name(d.taskDefinition));
    for (const set of s.taskSets ?? []) used.add(name(set.taskDefinition));
  }
  return used;
}

/**
 * Removes DELETE_IN_PROGRESS revisions nothing uses (a tombstone stays for a family's highest
 * revision) and tombstones a higher revision has made needless. Leader only.
 */
export async function purgeDeletedTaskDefinitions(ctx: ApiContext): Promise<void> {
  const used = inUse(ctx);
  const ops: TxnOp[] = [];
  const after: (() => void)[] = [];
  for (const [family, revs] of ctx.state.taskDefs) {
    const top = Math.max(...revs.keys());
    for (const td of revs.values()) {
      const gone = td.status === 'DELETED' && td.revision !== top;
      const done = td.status === 'DELETE_IN_PROGRESS' && !used.has(`${family}:${td.revision}`);
      if (!gone && !done) continue;
      const key = ctx.layout.taskDef(family, td.revision);
      if (td.revision === top) {
        const tombstone: TaskDefRec = { ...td, status: 'DELETED', body: {}, tags: [] };
        ops.push({ verb: 'set', key, value: JSON.stringify(tombstone) });
        after.push(() => revs.set(td.revision, tombstone));
      } else {
        ops.push({ verb: 'delete', key });
        after.push(() => revs.delete(td.revision));
      }
    }
  }
  if (ops.length === 0) return;
  await ctx.persist.writeMany(ops);
  for (const fn of after) fn();
}
