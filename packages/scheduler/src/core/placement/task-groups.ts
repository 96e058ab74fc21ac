/**
 * Per-instance counts of tasks by group, cached by the identity of the instance's `tasks`
 * array so a placement call over thousands of instances does not rescan every task list.
 * Pure memoisation: the cache holds no state a caller can observe, and an entry is rebuilt
 * when the array's length changed (an in-place push or splice); and the spread buckets of an
 * attribute over a placement's candidates.
 */
import type { PlacementInstance } from './types.js';

interface Counts {
  readonly length: number;
  readonly byGroup: ReadonlyMap<string, number>;
  readonly groups: readonly string[];
}

type TaskList = readonly { group?: string; family: string }[];

const cache = new WeakMap<TaskList, Counts>();

/** The group a task belongs to: its own, or `family:<family>` as ECS defaults it. */
export function groupOf(task: { group?: string; family: string }): string {
  return task.group ?? `family:${task.family}`;
}

/** Task counts by group for one instance's task list. */
export function taskGroupCounts(tasks: TaskList): Counts {
  const hit = cache.get(tasks);
  if (hit !== undefined && hit.length === tasks.length) return hit;
  const byGroup = new Map<string, number>();
  for (const t of tasks) {
    const g = groupOf(t);
    byGroup.set(g, (byGroup.get(g) ?? 0) + 1);
  }
  const counts: Counts = { length: tasks.length, byGroup, groups: [...byGroup.keys()] };
  cache.set(tasks, counts);
  return counts;
}

/** Per-group memo of the previous call's counts, by position in the instances array. */
interface PositionMemo {
  tasks: (TaskList | undefined)[];
  lengths: Int32Array;
  counts: Int32Array;
}

const MAX_MEMOS = 16;
const memos = new Map<string, PositionMemo>();

/**
 * Fills `out[i]` with the number of tasks of `group` on `instances[i]` for every index in
 * `indices`. Successive calls over snapshots that share most task lists (the scheduler
 * replaces only the instances that changed) reuse the previous call's counts for every
 * position whose task list is the same array with the same length.
 */
export function fillGroupCounts(
  instances: readonly { tasks: TaskList }[],
  group: string,
  indices: Int32Array,
  out: Float64Array,
): void {
  const n = instances.length;
  let memo = memos.get(group);
  if (memo === undefined || memo.lengths.length !== n) {
    if (memo === undefined && memos.size >= MAX_MEMOS) memos.delete(memos.keys().next().value!);
    memo = {
      tasks: new Array<TaskList | undefined>(n),
      lengths: new Int32Array(n),
      counts: new Int32Array(n),
    };
  }
  memos.delete(group);
  memos.set(group, memo);
  const { tasks: memoTasks, lengths, counts } = memo;
  for (let c = 0; c < indices.length; c++) {
    const i = indices[c]!;
    const tasks = instances[i]!.tasks;
    if (memoTasks[i] === tasks && lengths[i] === tasks.length) {
      out[i] = counts[i]!;
      continue;
    }
    // A new array that starts with the old one's tasks (the usual append) only needs its
    // tail counted; anything else, including an array changed in place, is counted afresh.
    const prev = memoTasks[i];
    const count =
      prev !== undefined && prev !== tasks && extends_(tasks, prev, lengths[i]!)
        ? counts[i]! + countIn(tasks, lengths[i]!, group)
        : (taskGroupCounts(tasks).byGroup.get(group) ?? 0);
    memoTasks[i] = tasks;
    lengths[i] = tasks.length;
    counts[i] = count;
    out[i] = count;
  }
}

/** Whether `next` starts with every element of `prev` (the usual append-only update). */
function extends_(next: TaskList, prev: TaskList, prevLength: number): boolean {
  if (prev.length !== prevLength || next.length < prevLength) return false;
  for (let k = prevLength - 1; k >= 0; k--) if (next[k] !== prev[k]) return false;
  return true;
}

function countIn(tasks: TaskList, from: number, group: string): number {
  let n = 0;
  for (let k = from; k < tasks.length; k++) if (groupOf(tasks[k]!) === group) n++;
  return n;
}

/**
 * Spread buckets of one attribute over the candidates: each candidate's bucket (instances with
 * the same value of `attribute`, absent being a value of its own) and each bucket's task count.
 */
export function spreadBuckets(
  instances: readonly PlacementInstance[],
  candidates: Int32Array,
  groupCount: Float64Array,
  attribute: string,
): { bucketOf: Int32Array; counts: Float64Array } {
  const ids = new Map<string | undefined, number>();
  const bucketOf = new Int32Array(instances.length);
  for (const i of candidates) {
    const attrs = instances[i]!.attributes;
    const value = Object.hasOwn(attrs, attribute) ? attrs[attribute] : undefined;
    let id = ids.get(value);
    if (id === undefined) ids.set(value, (id = ids.size));
    bucketOf[i] = id;
  }
  const counts = new Float64Array(ids.size);
  for (const i of candidates) counts[bucketOf[i]!]! += groupCount[i]!;
  return { bucketOf, counts };
}
