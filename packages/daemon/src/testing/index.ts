/**
 * Helpers for berth's tests, imported as `@berth/daemon/testing`; never from production code.
 */

export { type EventuallyOptions, QUIET_PERIOD_MS, eventually, stays } from './eventually.js';
