/**
 * What every berth daemon shares: typed config, structured logs, Prometheus metrics,
 * an honest /health, and graceful shutdown.
 */

export { BerthError, ConfigError } from './errors.js';
export { parseDuration, formatDuration } from './time/duration.js';
export { type ListenAddress, parseListen, formatListen } from './core/listen.js';
export {
  type OptionType,
  type OptionDef,
  type OptionsSpec,
  type ConfigOf,
  type LoadOptions,
  defineOptions,
  loadConfig,
  flagName,
  envNames,
} from './core/config.js';
export { helpText } from './core/help.js';
export {
  type Logger,
  type LogLevel,
  type LoggerOptions,
  LOG_LEVELS,
  createLogger,
} from './adapters/logger.js';
export {
  Registry,
  Counter,
  Gauge,
  Histogram,
  Summary,
  createRegistry,
} from './adapters/metrics.js';
export { type HealthStatus, type HealthReport, Health } from './health.js';
export {
  type AdminHandler,
  type AdminOptions,
  type AdminServer,
  adminHandler,
  startAdminServer,
} from './adapters/admin.js';
export { type CloseStep, type ShutdownResult, Shutdown } from './shutdown.js';
export {
  type DaemonCommand,
  type DaemonContext,
  type RunOptions,
  commonOptions,
  commandHelp,
  envPrefixOf,
  runDaemon,
} from './run-daemon.js';
export { mapLimit } from './map-limit.js';
export {
  type FollowLines,
  type FollowLinesHandlers,
  type FollowLinesOptions,
  followLines,
} from './adapters/follow-lines.js';
export { type BackoffOptions, type Jitter, DEFAULT_BACKOFF, backoffDelay } from './time/backoff.js';
export { type SleepOptions, sleep } from './time/sleep.js';
export { type EveryOptions, every } from './time/every.js';
export {
  type RetryOptions,
  RetryAbortedError,
  RetryExhaustedError,
  withRetry,
} from './time/retry.js';
