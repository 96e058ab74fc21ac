/**
 * The memberOf constraints of one placement call, parsed once and evaluated against a
 * reusable view of an instance (so the scan over thousands of instances allocates nothing),
 * counting the tasks this call already put there. Pure: must never mutate the instance.
 */

import { matchesQuery, parseClusterQuery } from '../query/index.js';
import type { ClusterQuery, QueryInstance } from '../query/index.js';
import { PlacementError } from './errors.js';
import { taskGroupCounts } from './task-groups.js';
import type { PlacementConstraint, PlacementInstance } from './types.js';

const NO_GROUPS: readonly string[] = [];

/** See the module comment. */
export class MemberOf {
  /** Whether there is no memberOf constraint at all. */
  readonly empty: boolean;
  /** Whether some query looks at task groups or running task counts. */
  readonly dynamic: boolean;
  private readonly queries: readonly ClusterQuery[];
  private readonly view: QueryInstance = {
    ec2InstanceId: '',
    attributes: {},
    registeredAt: 0,
    runningTasksCount: 0,
    agentConnected: false,
    agentVersion: undefined,
    status: '',
    taskGroups: NO_GROUPS,
  };

  /** @throws PlacementError for an expression that does not parse. */
  constructor(constraints: readonly PlacementConstraint[]) {
    const queries: ClusterQuery[] = [];
    constraints.forEach((c, i) => {
      if (c.type === 'memberOf') queries.push(parse(c.expression, i));
    });
    this.queries = queries;
    this.empty = queries.length === 0;
    this.dynamic = queries.some((q) => q.dynamic);
  }

  /**
   * The first query `inst` does not satisfy once `placedHere` tasks of `group` from this call
   * are on it, or undefined when it satisfies them all.
   */
  failing(inst: PlacementInstance, placedHere: number, group: string): ClusterQuery | undefined {
    if (this.empty) return undefined;
    const v = this.view;
    v.ec2InstanceId = inst.ec2InstanceId;
    v.attributes = inst.attributes;
    v.registeredAt = inst.registeredAt;
    v.runningTasksCount = inst.tasks.length + placedHere;
    v.agentConnected = inst.agentConnected;
    v.agentVersion = inst.agentVersion;
    v.status = inst.status;
    v.taskGroups = NO_GROUPS;
    if (this.dynamic) {
      const groups = taskGroupCounts(inst.tasks).groups;
      v.taskGroups = placedHere > 0 && !groups.includes(group) ? [...groups, group] : groups;
    }
    return this.queries.find((q) => !matchesQuery(q, v));
  }
}

function parse(expression: string | undefined, i: number): ClusterQuery {
  try {
    return parseClusterQuery(expression ?? '');
  } catch (err) {
    throw new PlacementError(
      `placementConstraints[${i}].expression`,
      `Invalid placement constraint expression '${expression ?? ''}': ${(err as Error).message}.`,
      { cause: err },
    );
  }
}
