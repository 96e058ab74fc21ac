/**
 * `berth scheduler`: starts the scheduler with the config as given (the option keys are
 * `startScheduler`'s), turns the replica's events into structured logs and registers the close
 * step. No business logic here; everything else lives in startScheduler.
 */
import type { DaemonCommand } from '@berth/daemon';
import { schedulerOptions } from './options.js';
import { startScheduler } from './start.js';

/** `berth scheduler`. */
export const command: DaemonCommand<typeof schedulerOptions> = {
  name: 'scheduler',
  summary:
    'ECS-compatible control plane: task definitions, placement, tasks, durable in Consul (HTTP :8700)',
  options: schedulerOptions,
  async start(config, ctx) {
    const { log } = ctx;
    const running = await startScheduler({
      ...config,
      env: process.env,
      registry: ctx.registry,
      health: ctx.health,
      onEvent: (event, detail) => {
        if (event === 'warn') log.warn(detail, 'scheduler warning');
        else if (event === 'fault') log.error(detail, 'request failed');
        else log.info(detail, event);
      },
    });
    if (!config.credentials) log.warn('no --credentials: request signatures are NOT checked');
    log.info({ url: running.url }, 'listening');
    ctx.shutdown.add('scheduler', () => running.close());
  },
};
