/**
 * `berth agent`: the daemon command. It starts the agent, turns its events into structured
 * logs (metrics and /health are wired by startAgent), and registers the close step. No task
 * logic here.
 */

import type { DaemonCommand } from '@berth/daemon';
import { agentOptions } from './options.js';
import { startAgent } from './start.js';

function short(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** The `berth agent` daemon command. */
export const command: DaemonCommand<typeof agentOptions> = {
  name: 'agent',
  summary: 'Runs ECS tasks in Docker on this host and reports their state to the scheduler',
  options: agentOptions,
  async start(config, ctx) {
    const { log, health, registry, shutdown } = ctx;
    const running = await startAgent({ ...config, env: process.env }, { health, registry });
    const a = running.agent;
    shutdown.add('agent', () => running.close());
    a.on('registered', (arn, again) =>
      log.info({ containerInstanceArn: arn, reRegistered: again }, 'registered'),
    );
    a.on('scheduler', (up, err) =>
      up ? log.info('scheduler reachable') : log.warn({ err }, 'scheduler unreachable'),
    );
    a.on('docker', (up, err) =>
      up
        ? log.info('Docker event stream connected')
        : log.warn({ err }, 'Docker event stream lost'),
    );
    let lastProgress = 0;
    a.on('runner', (e) => {
      const task = short(e.taskArn);
      switch (e.type) {
        case 'state':
          log.info({ task, state: e.state, reason: e.reason }, 'task state');
          break;
        case 'pull':
          // Pull progress is chatty: at most one line per second.
          if (Date.now() - lastProgress >= 1000) {
            lastProgress = Date.now();
            log.info({ task, image: e.image, ...e.progress }, 'pulling');
          }
          break;
        case 'pulled':
          log.info({ task, image: e.image, ms: e.ms, cached: e.cached }, 'image ready');
          break;
        case 'restart':
          log.warn(
            { task, container: e.container, restarts: e.restarts, exitCode: e.exitCode },
            'container restarted',
          );
          break;
        case 'no-restart':
          log.info({ task, container: e.container, why: e.why }, 'container not restarted');
          break;
        case 'health':
          log.info({ task, container: e.container, health: e.health }, 'container health');
          break;
        case 'error':
          log.warn({ task, op: e.op, err: e.error }, 'task operation failed');
          break;
      }
    });
    a.on('report-retry', (r, attempt, delayMs, err) =>
      log.warn(
        { task: short(r.change.task), attempt, delayMs, err },
        'report not acknowledged; retrying',
      ),
    );
    a.on('report-drop', (r, err) =>
      log.error({ task: short(r.change.task), err }, 'report rejected'),
    );
    a.on('cleanup', (arn, containers) =>
      log.info({ task: short(arn), containers }, 'task cleaned up'),
    );
    a.on('image-removed', (ref, usedPercent) =>
      log.info({ image: ref, usedPercent }, 'image removed'),
    );
    a.on('warning', (message, err) => log.warn({ err }, message));
    log.info(
      {
        introspection: running.address,
        cluster: config.cluster,
        instanceId: running.instanceId,
        containerInstanceArn: running.instanceArn,
      },
      'introspection listening',
    );
  },
};
