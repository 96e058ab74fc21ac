/**
 * Bounded-concurrency map (e.g. at most 8 `docker inspect` calls at once). Keeps result order;
 * rejects with the first error. No other behaviour.
 */

/** Maps `items` with at most `limit` calls of `fn` in flight. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
