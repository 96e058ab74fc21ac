/**
 * The order a full reconcile converges containers in (issue 15): after a restart, what started
 * while the registrator was down has no registration at all and is the one thing clients cannot
 * reach, so it goes first; then running containers whose registration changed; then the
 * unchanged ones (no writes); removals of containers that no longer run go last. Pure.
 */

/** How a container stands against what Consul holds. */
export interface ReconcileItem<D> {
  readonly containerId: string;
  readonly desired: D;
  /** It runs now (else its registrations are removals). */
  readonly running: boolean;
  /** Consul holds at least one registration of it. */
  readonly registered: boolean;
}

function rank(item: ReconcileItem<unknown>): number {
  if (!item.running) return 2;
  return item.registered ? 1 : 0;
}

/** The items in reconcile order; stable within each rank (Docker's listing order). */
export function reconcileOrder<D>(items: readonly ReconcileItem<D>[]): ReconcileItem<D>[] {
  return items
    .map((item, i) => ({ item, i }))
    .sort((a, b) => rank(a.item) - rank(b.item) || a.i - b.i)
    .map(({ item }) => item);
}
