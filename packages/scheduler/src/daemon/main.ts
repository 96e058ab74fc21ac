#!/usr/bin/env node
/**
 * Runnable entry of the scheduler alone (`node packages/scheduler/dist/daemon/main.js --listen ...`),
 * used by HA tests and benchmarks that need real child processes. Only this file exits.
 */
import { runDaemon } from '@berth/daemon';
import { command } from './command.js';

const code = await runDaemon(command, process.argv.slice(2), process.env, {
  exit: (c) => process.exit(c),
});
process.exit(code);
