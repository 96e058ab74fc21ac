#!/usr/bin/env node
/**
 * Runnable entry of the agent alone (`node packages/agent/dist/daemon/main.js --scheduler ...`), used
 * by crash tests and the benchmark that need a real child process. Only this file exits.
 */
import { runDaemon } from '@berth/daemon';
import { command } from './command.js';

const code = await runDaemon(command, process.argv.slice(2), process.env, {
  exit: (c) => process.exit(c),
});
process.exit(code);
