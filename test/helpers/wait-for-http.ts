// Polls an HTTP URL until it answers, for tests that start a server (a container, a daemon) and
// must wait for it to listen.
//
// It must never retry without bound: every wait has a deadline and every attempt a timeout.
import { setTimeout as sleep } from 'node:timers/promises';

/** Options for {@link waitForHttp}. */
export interface WaitForHttpOptions {
  /** Give up after this long; default 15000 ms. */
  readonly timeoutMs?: number;
  /** Pause between attempts; default 100 ms. */
  readonly intervalMs?: number;
  /** Per-attempt timeout; default 2000 ms. */
  readonly attemptTimeoutMs?: number;
  /** Which statuses count as ready; default any status below 500. */
  readonly ready?: (status: number) => boolean;
}

/** The first response that counted as ready, with its body read as text. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  readonly attempts: number;
}

/**
 * GETs `url` until a response is ready or the deadline passes; throws an error naming the URL,
 * the number of attempts and the last failure.
 */
export async function waitForHttp(
  url: string,
  options: WaitForHttpOptions = {},
): Promise<HttpAnswer> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const intervalMs = options.intervalMs ?? 100;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 2000;
  const ready = options.ready ?? ((status: number) => status < 500);
  const deadline = Date.now() + timeoutMs;
  let attempts = 0;
  let last: string;
  while (true) {
    attempts++;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(attemptTimeoutMs) });
      const body = await res.text();
      if (ready(res.status)) return { status: res.status, headers: res.headers, body, attempts };
      last = `status ${res.status}`;
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      last = cause?.code ?? (err instanceof Error ? err.message : String(err));
    }
    if (Date.now() + intervalMs >= deadline) break;
    await sleep(intervalMs);
  }
  throw new Error(
    `${url} did not answer within ${timeoutMs} ms (${attempts} attempts, last: ${last})`,
  );
}
