/**
 * ECS task placement: RunTask's `place` (choose instances for `count` tasks by constraints
 * then strategies) and StartTask's `placeOn` (the caller names the instances). Pure functions
 * over a snapshot of instances; must never mutate their inputs or do I/O.
 */

import { PlacementEngine } from './placement-engine.js';
import type { PlacementInstance, PlacementRequest, PlacementResult } from './types.js';

/**
 * Places `request.count` tasks, one at a time, each on the best instance that passes every
 * check: ACTIVE (else INACTIVE), agent connected (else AGENT), memberOf and distinctInstance
 * constraints (else ATTRIBUTE), CPU, memory and fixed host ports (else RESOURCE:*). Strategies
 * order the survivors, each breaking the previous one's ties: binpack prefers the least
 * remaining cpu / memory, spread the value (instance, or attribute) with the fewest tasks of
 * the group, random picks uniformly among what is left tied; remaining ties go to the earliest
 * instance. No strategy means random, as RunTask. Each placed task updates the chosen
 * instance's resources, ports and task groups before the next task is placed.
 *
 * When a task cannot be placed, placement stops and `failures` holds every instance's reason.
 * Cost: O(instances) to set up plus O(candidates × strategies) per task.
 * @throws PlacementError for a memberOf expression that does not parse.
 */
export function place(
  instances: readonly PlacementInstance[],
  request: PlacementRequest,
): PlacementResult {
  const result: PlacementResult = { placements: [], failures: [] };
  if (request.count <= 0) return result;
  const engine = new PlacementEngine(instances, request);
  for (let t = 0; t < request.count; t++) {
    const i = engine.choose();
    if (i < 0) {
      result.failures = engine.failures();
      break;
    }
    engine.commit(i);
    result.placements.push({ instanceArn: instances[i]!.arn });
  }
  return result;
}

/**
 * StartTask: one task on each named instance, in order (an ARN named twice gets two tasks).
 * Unknown ARNs fail with MISSING; the others are checked as in `place` (status, agent,
 * constraints, resources) without strategies. `request.count` is ignored.
 * @throws PlacementError for a memberOf expression that does not parse.
 */
export function placeOn(
  instances: readonly PlacementInstance[],
  arns: readonly string[],
  request: PlacementRequest,
): PlacementResult {
  const result: PlacementResult = { placements: [], failures: [] };
  const index = new Map<string, number>();
  const chosen: PlacementInstance[] = [];
  for (const arn of arns) {
    if (index.has(arn)) continue;
    const inst = instances.find((x) => x.arn === arn);
    if (inst !== undefined) {
      index.set(arn, chosen.length);
      chosen.push(inst);
    }
  }
  const engine = new PlacementEngine(chosen, { ...request, strategies: [] });
  for (const arn of arns) {
    const i = index.get(arn);
    if (i === undefined) {
      result.failures.push({ arn, reason: 'MISSING' });
      continue;
    }
    const failure = engine.reason(i);
    if (failure !== undefined) {
      result.failures.push(failure);
      continue;
    }
    engine.commit(i);
    result.placements.push({ instanceArn: arn });
  }
  return result;
}
