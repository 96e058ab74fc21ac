/**
 * The placement engine's numeric codes: why an instance was rejected (in the order instances
 * are checked), the failure reason each code reports, and the strategy key kinds with the
 * mapping of a request's strategies onto them. Pure; never any state.
 */
import type { PlacementFailureReason, PlacementStrategy } from './types.js';

/** Rejection codes, in the order instances are checked. */
export const OK = 0;
export const INACTIVE = 1;
export const AGENT = 2;
export const MEMBER_OF = 3;
export const DISTINCT = 4;
export const CPU = 5;
export const MEMORY = 6;
export const PORTS = 7;

export const REASONS: readonly PlacementFailureReason[] = [
  'INACTIVE', // unused slot for OK
  'INACTIVE',
  'AGENT',
  'ATTRIBUTE',
  'ATTRIBUTE',
  'RESOURCE:CPU',
  'RESOURCE:MEMORY',
  'RESOURCE:PORTS',
];

/** Strategy key kinds: lower key wins. */
export const BINPACK_CPU = 0;
export const BINPACK_MEMORY = 1;
export const SPREAD_INSTANCE = 2;
export const SPREAD_ATTRIBUTE = 3;

/**
 * Pushes the key kind of each strategy before the first `random` onto `kinds`; true when a
 * `random` strategy ends the list.
 */
export function strategyKeyKinds(
  strategies: readonly PlacementStrategy[],
  kinds: number[],
): boolean {
  for (const s of strategies) {
    if (s.type === 'random') return true;
    if (s.type === 'binpack') kinds.push(s.field === 'memory' ? BINPACK_MEMORY : BINPACK_CPU);
    else if (s.field === undefined || s.field === 'instanceId' || s.field === 'host') {
      kinds.push(SPREAD_INSTANCE);
    } else kinds.push(SPREAD_ATTRIBUTE);
  }
  return false;
}
