#!/usr/bin/env node
/**
 * The catalog's process entry at its historical path (`dist/main.js`, used by benchmarks and
 * durability tests that start the catalog as a child process); the daemon lives in daemon/.
 */
import './daemon/main.js';
