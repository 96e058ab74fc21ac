#!/usr/bin/env node
// The `berth` executable: a committed shim so it stays executable whatever the build does.
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2), process.env);
