/**
 * @berth/console: `berth console`, the web console for people. Exports the daemon command and
 * the programmatic start; the pure view models live in core/.
 */
export { command } from './daemon/command.js';
export { consoleOptions } from './daemon/options.js';
export {
  startConsole,
  DEFAULT_WEB_DIR,
  type StartConsoleOptions,
  type RunningConsole,
} from './daemon/start.js';
export { describeAction, parseAction, type Action } from './core/actions.js';
export type * from './core/view-types.js';
