/** `berth dns` as a DaemonCommand; the CLI loads it lazily. */
import type { DaemonCommand } from '@berth/daemon';
import { dnsOptions } from './options.js';
import { runDns } from './start.js';

/** `berth dns`. */
export const command: DaemonCommand<typeof dnsOptions> = {
  name: 'dns',
  summary: 'Answer *.service.consul from an in-memory catalog snapshot, round-robin',
  options: dnsOptions,
  async start(config, ctx) {
    await runDns(config, ctx);
  },
};
