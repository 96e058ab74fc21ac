/**
 * The agent's tasks as introspection shows them (TaskView, ContainerView), read from the task
 * runners. Read-only: it must never change a runner.
 */

import type { PullTracker } from './image-pull.js';
import { backendStatus } from './core/task-state.js';
import type { TaskRunner } from './task-runner.js';
import type { TaskView } from './types.js';

/** One task as introspection shows it. */
export function taskView(r: TaskRunner, pulls: PullTracker): TaskView {
  return {
    arn: r.arn,
    family: r.family,
    version: r.version,
    desiredStatus: r.desiredStatus,
    knownStatus: backendStatus(r.state),
    state: r.state,
    containers: r.containers.map((c) => ({
      name: c.name,
      dockerId: c.dockerId,
      dockerName: c.dockerName,
      status: c.status,
      ports: r.bindingsOf(c).map((p) => ({
        containerPort: p.containerPort,
        protocol: p.protocol,
        hostPort: p.hostPort,
        hostIp: p.bindIP,
      })),
      volumes: c.mounts.map((m) => ({
        ...(m.name ? { dockerName: m.name } : {}),
        source: m.source,
        destination: m.destination,
      })),
      health: c.health,
      healthSince: c.healthSince,
      exitCode: c.exitCode,
      restarts: c.restarts,
    })),
    pull: pulls.of(r.arn),
  };
}
