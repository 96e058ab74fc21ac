/**
 * Passive health and retries as one pure policy (like a restart policy): given how one
 * attempt to reach an upstream failed and what was already sent, it says whether the
 * instance is ejected, whether the request goes to another instance, and what the client
 * gets otherwise. It never ejects for what the client or this process caused, never resends
 * a non-idempotent request once a byte of it was written, never resends a body it no longer
 * holds, and never retries once the client saw a byte of a response. No I/O, no clock.
 */

/** How an attempt ended without a usable response. */
export type Failure =
  /** connect refused / unreachable: the instance is not there */
  | 'connect-error'
  | 'connect-timeout'
  /** EMFILE, ENFILE, EADDRNOTAVAIL...: this process ran out of something */
  | 'local-error'
  /** a reused keep-alive socket closed before any response byte */
  | 'stale-connection'
  /** closed or reset after the request was sent, before a complete response head */
  | 'reset'
  /** no response head within --response-timeout of the request's end */
  | 'response-timeout'
  /** the upstream stopped reading the request body */
  | 'send-timeout'
  /** a response head or framing we refuse (502) */
  | 'bad-response'
  /** a 502, 503 or 504 response head */
  | 'status'
  /** the client went away, or stopped sending its body */
  | 'client-abort';

/** One failed attempt and what was done so far. */
export interface Attempt {
  readonly failure: Failure;
  /** For `status`: the code. */
  readonly status?: number;
  /** For `status`: a 503 carrying Retry-After (an application saying "later", not a fault). */
  readonly retryAfter?: boolean;
  readonly idempotent: boolean;
  /** Any byte of the request reached an upstream socket (in this attempt or an earlier one). */
  readonly written: boolean;
  /** Every byte needed to send the request again is still held (no body bytes released). */
  readonly replayable: boolean;
  /** Bytes of a response (or a local answer) already went to the client. */
  readonly responded: boolean;
  /** Retries already made for this request (stale-connection replacements included). */
  readonly retries: number;
  /** A stale keep-alive socket was already replaced once for this request. */
  readonly staleReplaced: boolean;
  /** The route's retry budget has room for one more retry. */
  readonly withinBudget: boolean;
}

/** What to do about a failed attempt. */
export interface Verdict {
  /** Take the instance out of rotation (passive health). */
  readonly eject: boolean;
  /**
   * Send the request again: `other` to an instance that has not failed it, `fresh` on a new
   * socket to any instance (only after a stale keep-alive socket); false: no retry.
   */
  readonly retry: 'other' | 'fresh' | false;
  /**
   * Without a retry: the status to answer locally (502, 503, 504, 408), or 0 to pass the
   * upstream's own response through (a 5xx status), or -1 to abort the client connection.
   */
  readonly status: number;
}

/** Retries on other instances for one request (nginx's proxy_next_upstream tries them all). */
export const MAX_RETRIES = 3;

const UPSTREAM_FAULT: Readonly<Record<Failure, boolean>> = {
  'connect-error': true,
  'connect-timeout': true,
  'local-error': false,
  'stale-connection': false,
  reset: true,
  'response-timeout': true,
  'send-timeout': true,
  'bad-response': true,
  status: true,
  'client-abort': false,
};

// A timeout is not retried: a slow upstream is slow for everyone, and waiting the whole
// timeout again per instance would multiply both the client's wait and the upstreams' load.
const RESENDABLE: Readonly<Record<Failure, boolean>> = {
  'connect-error': true,
  'connect-timeout': true,
  'local-error': false,
  'stale-connection': true,
  reset: true,
  'response-timeout': false,
  'send-timeout': false,
  'bad-response': true,
  status: true,
  'client-abort': false,
};

function answer(a: Attempt): number {
  if (a.responded) return -1;
  switch (a.failure) {
    case 'status':
      return 0;
    case 'local-error':
      return 503;
    case 'response-timeout':
    case 'connect-timeout':
    case 'send-timeout':
      return 504;
    case 'client-abort':
      return -1;
    default:
      return 502;
  }
}

/** Decides the consequences of one failed attempt. */
export function judge(a: Attempt, maxRetries = MAX_RETRIES): Verdict {
  const overload = a.failure === 'status' && a.status === 503 && a.retryAfter === true;
  const eject = UPSTREAM_FAULT[a.failure] && !overload;
  const status = answer(a);
  const resendable =
    RESENDABLE[a.failure] &&
    !a.responded &&
    a.withinBudget &&
    a.replayable &&
    (a.idempotent || !a.written) &&
    a.retries < maxRetries;
  if (!resendable) return { eject, retry: false, status };
  if (a.failure === 'stale-connection') {
    return { eject, retry: a.staleReplaced ? 'other' : 'fresh', status };
  }
  return { eject, retry: 'other', status };
}
