/**
 * ECS task placement over a snapshot of container instances: constraints filter, strategies
 * order, failures say why. Pure: no I/O, no clock, randomness injected.
 */

export { PlacementError } from './errors.js';
export type {
  PlacementConstraint,
  PlacementFailure,
  PlacementFailureReason,
  PlacementInstance,
  PlacementRequest,
  PlacementResult,
  PlacementStrategy,
} from './types.js';
export { place, placeOn } from './place.js';
export { validatePlacement, MAX_CONSTRAINTS, MAX_STRATEGIES } from './validate-placement.js';
export { groupOf } from './task-groups.js';
