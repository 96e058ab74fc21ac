/**
 * The events of a `start` action once the caller has placed it: "has started N tasks: ..."
 * for what was placed, and "was unable to place a task ..." (naming the closest matching
 * instance) for what was not — the latter not repeated while it is the newest event. Pure;
 * must never place anything itself.
 */
import type { PlacementFailure } from '../placement/types.js';
import { serviceMessages } from './messages.js';
import type { Action, Service } from './types.js';

/** What placing one `start` action gave. */
export interface StartOutcome {
  /** The ARNs of the tasks created. */
  placed: readonly string[];
  /** How many could not be placed. */
  unplaced: number;
  /** Placement's per-instance failures for the first task it could not place. */
  failures: readonly PlacementFailure[];
}

/** Event actions for the outcome of a start (fold them with applyServiceActions). */
export function startOutcomeEvents(service: Service, outcome: StartOutcome): Action[] {
  const out: Action[] = [];
  if (outcome.placed.length > 0) {
    out.push({
      type: 'event',
      message: serviceMessages.started(service.serviceName, outcome.placed),
    });
  }
  if (outcome.unplaced > 0) {
    const message = serviceMessages.unableToPlace(service.serviceName, outcome.failures);
    if (out.length > 0 || service.events[0]?.message !== message)
      out.push({ type: 'event', message });
  }
  return out;
}
