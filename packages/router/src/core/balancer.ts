/**
 * Picks a target of a route: round-robin over the weighted wheel, weighted random, or least
 * outstanding requests per unit of weight. Ejected targets are skipped unless every target is
 * ejected (then they are tried anyway: a guess beats a certain 502). Never does I/O.
 */
import type { Route, Target } from './route-table.js';

/** Balancing strategy (`--strategy`). */
export type Strategy = 'rr' | 'rnd' | 'least';

/** Targets a request must not go to again: the one that just failed, or all that failed it. */
export type Avoid = Target | readonly Target[] | undefined;

// By key, not identity: a retry may pick from a newer table whose Target objects are new.
function avoided(t: Target, avoid: Avoid): boolean {
  if (avoid === undefined) return false;
  if (Array.isArray(avoid)) return avoid.some((a: Target) => a.key === t.key);
  return (avoid as Target).key === t.key;
}

function usable(t: Target, now: number, avoid: Avoid): boolean {
  return t.weight > 0 && !avoided(t, avoid) && t.state.ejectedUntil <= now;
}

function leastLoaded(targets: readonly Target[], now: number, avoid: Avoid) {
  let best: Target | undefined;
  let bestScore = Infinity;
  for (const t of targets) {
    if (!usable(t, now, avoid)) continue;
    const score = (t.state.outstanding + 1) / t.weight;
    if (score < bestScore) {
      best = t;
      bestScore = score;
    }
  }
  return best;
}

/**
 * Picks a target, avoiding `avoid` (the targets that already failed this request) when
 * another exists.
 * Returns undefined only when the route has no target with a weight.
 */
export function pickTarget(
  route: Route,
  strategy: Strategy,
  now: number,
  avoid?: Avoid,
): Target | undefined {
  const targets = route.targets;
  const n = targets.length;
  if (n === 1) {
    const only = targets[0] as Target;
    return only.weight > 0 && !avoided(only, avoid) ? only : undefined;
  }
  if (strategy === 'least') {
    return leastLoaded(targets, now, avoid) ?? leastLoaded(targets, 0, avoid);
  }
  const wheel = route.wheel;
  const len = wheel.length === 0 ? n : wheel.length;
  const start = strategy === 'rnd' ? Math.floor(Math.random() * len) : route.counter++ % len;
  let fallback: Target | undefined;
  for (let i = 0; i < len; i++) {
    const slot = (start + i) % len;
    const t = targets[wheel.length === 0 ? slot : (wheel[slot] as number)] as Target;
    if (usable(t, now, avoid)) return t;
    if (fallback === undefined && t.weight > 0 && !avoided(t, avoid)) fallback = t;
  }
  return fallback;
}
