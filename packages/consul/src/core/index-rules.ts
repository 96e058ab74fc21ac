/**
 * Pure rules for the next blocking index (Consul blocking.mdx and consul-api.md §3): a missing
 * or zero X-Consul-Index is an error, an index that went backwards resets to 0, a larger one
 * is a change. Must never do I/O.
 */

/** What to do with a blocking query's answer. */
export type IndexStep =
  | { readonly kind: 'error'; readonly reason: string }
  | { readonly kind: 'reset'; readonly next: 0n }
  | { readonly kind: 'change'; readonly next: bigint }
  | { readonly kind: 'same'; readonly next: bigint };

/**
 * Decide from the index sent (`prev`, 0n before the first answer) and the index received.
 * `reset` means: the data regressed (store reset, restart from an older snapshot); treat the
 * answer as a change and ask again from 0 so the next answer comes at once.
 */
export function nextIndex(prev: bigint, got: bigint | undefined): IndexStep {
  if (got === undefined) return { kind: 'error', reason: 'missing X-Consul-Index header' };
  if (got <= 0n) return { kind: 'error', reason: 'X-Consul-Index is 0' };
  if (got < prev) return { kind: 'reset', next: 0n };
  if (got > prev) return { kind: 'change', next: got };
  return { kind: 'same', next: got };
}
