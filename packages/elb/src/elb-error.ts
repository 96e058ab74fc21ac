/**
 * An ELB call that failed after the SDK's own retries: which operation, the AWS error code,
 * and whether trying again later may help. It must never carry credentials.
 */

import { BerthError } from '@berth/daemon';

/** An ELB API call failed (after the SDK's retries). */
export class ElbError extends BerthError {
  /** The API operation, e.g. RegisterTargets. */
  readonly operation: string;
  /** AWS's error code (e.g. ValidationError, Throttling), when AWS answered with one. */
  readonly awsCode: string | undefined;
  /** False when AWS said the request itself is wrong (a 4xx other than throttling). */
  readonly retryable: boolean;

  constructor(operation: string, options: { cause?: unknown } = {}) {
    const cause = options.cause as
      { name?: string; message?: string; $fault?: string; $retryable?: unknown } | undefined;
    super('BERTH_ELB', `ELB ${operation} failed: ${cause?.message ?? 'unknown error'}`, options);
    this.operation = operation;
    this.awsCode = cause?.$fault ? cause.name : undefined;
    this.retryable = cause?.$fault !== 'client' || /Throttl|TooManyRequests/.test(cause.name ?? '');
  }
}
