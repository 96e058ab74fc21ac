/**
 * The contract between the catalog's store and the health-check runners: what to run
 * (CheckSpec) and what comes back (CheckResult). Plain data only; nothing here may do I/O.
 */
import type { CheckStatus } from '../../core/types.js';

export type { CheckStatus };

/** One check to run, with durations already parsed to milliseconds. */
export interface CheckSpec {
  checkId: string;
  kind: 'http' | 'tcp' | 'ttl' | 'script';
  /** Command of a `script` check (empty: run `script` with /bin/sh -c). */
  args?: string[];
  script?: string;
  /** URL for `http` checks. */
  http?: string;
  /** HTTP method, default GET. */
  method?: string;
  header?: Record<string, string[]>;
  body?: string;
  tlsSkipVerify?: boolean;
  tlsServerName?: string;
  /** `host:port` for `tcp` checks. */
  tcp?: string;
  intervalMs: number;
  /** 0 or less means the default (10 s; 30 s for scripts). */
  timeoutMs: number;
  ttlMs: number;
}

/** The outcome of one run, reported only when it differs from the last one reported. */
export interface CheckResult {
  checkId: string;
  status: CheckStatus;
  output: string;
}
