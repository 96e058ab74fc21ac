/**
 * How a scheduler replica reads a failure of the catalog (issue 15): nothing listening at its
 * address means it went down or restarts, which ends a leadership term (the next term reloads
 * from KV instead of serving a view the catalog may no longer hold); a transaction rolled back
 * means the fence (check-session) failed and the lock is lost; anything else (a timeout, a
 * dropped connection under load) is a blip that must not cost the leadership. Pure.
 */
import { TxnFailedError } from '@berth/consul';

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e = error; e !== undefined && e !== null && chain.length < 8;) {
    chain.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return chain;
}

/** Nothing listens at the catalog's address (ECONNREFUSED): it is down or restarting. */
export function catalogGone(error: unknown): boolean {
  return causes(error).some((e) => {
    const code = (e as { code?: unknown }).code;
    return code === 'ECONNREFUSED' || (e instanceof Error && /ECONNREFUSED/.test(e.message));
  });
}

/** A fenced write was rolled back: the leader's session no longer holds the lock. */
export function fenceFailed(error: unknown): boolean {
  return causes(error).some((e) => e instanceof TxnFailedError);
}
