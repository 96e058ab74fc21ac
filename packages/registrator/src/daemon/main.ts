#!/usr/bin/env node
/**
 * Runnable entry of the registrator alone (`node packages/registrator/dist/main.js --consul
 * ...`), used by crash tests and benchmarks that need a real child process. Only this file
 * exits the process.
 */
import { runDaemon } from '@berth/daemon';
import { command } from './command.js';

const code = await runDaemon(command, process.argv.slice(2), process.env, {
  exit: (c) => process.exit(c),
});
process.exit(code);
