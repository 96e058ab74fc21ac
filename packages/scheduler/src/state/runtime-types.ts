/**
 * The runtime records of the leader's in-memory view (SchedulerState): a task or container
 * instance with what the leader derives from it. Types only; never any code.
 */
import type { PlacementInstance } from '../core/placement/types.js';
import type { InstanceRec, TaskRec, TaskResources } from './records.js';

/** A task with what the leader derives from it. */
export interface TaskRt {
  rec: TaskRec;
  resources: TaskResources;
  family: string;
  /** False until the write that created it committed: hidden from readers and agents. */
  committed: boolean;
  /** The task as placement sees it (made once, when it first counts on its instance). */
  placementTask?: PlacementTask;
}

/** One task of PlacementInstance.tasks. */
export type PlacementTask = PlacementInstance['tasks'][number];

/** Someone waiting for an instance's assignment version to move. */
export interface PollWaiter {
  readonly version: number;
  readonly wake: () => void;
}

/** A container instance with its runtime state. */
export interface InstanceRt {
  rec: InstanceRec;
  /** Tasks holding resources here (not yet confirmed STOPPED). */
  tasks: Map<string, TaskRt>;
  /**
   * The held tasks whose desired status is RUNNING, as placement sees them. Replaced (never
   * changed in place) when one comes or goes, so PlacementInstance.tasks can share it and a
   * placement costs no per-task work on the instances it did not touch.
   */
  running: readonly PlacementTask[];
  used: { cpu: number; memory: number; tcp: Map<number, number>; udp: Map<number, number> };
  /** Assignment version: the highest Consul index of this instance's keys. */
  version: number;
  lastContact: number;
  pollsInFlight: number;
  waiters: Set<PollWaiter>;
  placement: PlacementInstance | undefined;
}

/** The cached placement list of one cluster (SchedulerState.placementList). */
export interface PlacementListCache {
  insts: InstanceRt[];
  pos: Map<InstanceRt, number>;
  list: PlacementInstance[];
  /** When the next call must re-check every instance's connection. */
  refreshAt: number;
  lastNow: number;
  graceMs: number;
}
