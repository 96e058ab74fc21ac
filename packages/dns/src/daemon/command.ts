/** `berth dns` as a DaemonCommand; the CLI loads it lazily. */
import cluster from 'node:cluster';
import { ConfigError, type DaemonCommand } from '@berth/daemon';
import { dnsOptions } from './options.js';
import { runDns } from './start.js';
import { runPrimary } from './workers.js';

/** `berth dns`. */
export const command: DaemonCommand<typeof dnsOptions> = {
  name: 'dns',
  summary: 'Answer *.service.consul from an in-memory catalog snapshot, round-robin',
  options: dnsOptions,
  async start(config, ctx) {
    if (!Number.isSafeInteger(config.workers) || config.workers < 1 || config.workers > 64)
      throw new ConfigError(`--workers must be 1..64, got ${config.workers}`, 'workers');
    if (config.workers > 1 && cluster.isPrimary) await runPrimary(config, ctx);
    else await runDns(config, ctx, undefined, { worker: config.workers > 1 });
  },
};
