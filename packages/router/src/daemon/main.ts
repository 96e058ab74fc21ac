#!/usr/bin/env node
/**
 * Runnable entry of the router alone (`node packages/router/dist/daemon/main.js --consul ...`),
 * for benchmarks and crash tests that need a real child process. Only this file exits.
 */
import { runDaemon } from '@berth/daemon';
import { command } from './command.js';

const code = await runDaemon(command, process.argv.slice(2), process.env, {
  exit: (c) => process.exit(c),
});
process.exit(code);
