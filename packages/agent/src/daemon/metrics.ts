/**
 * The agent's Prometheus metrics, fed from the engine's events (libraries emit, daemons
 * measure). It must never change agent state.
 */

import { Counter, Gauge, Histogram, type Registry } from '@berth/daemon';
import type { Agent } from '../engine.js';

/** Registers the agent's metrics on `registry` and keeps them current. */
export function agentMetrics(registry: Registry, agent: Agent): void {
  new Gauge({
    name: 'berth_agent_tasks',
    help: 'Tasks on this host by agent state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const t of agent.tasks()) this.inc({ state: t.state });
    },
  });
  new Gauge({
    name: 'berth_agent_reports_pending',
    help: 'State reports waiting for the scheduler to acknowledge them',
    registers: [registry],
    collect() {
      this.set(agent.pendingReports);
    },
  });
  new Gauge({
    name: 'berth_agent_scheduler_reachable',
    help: '1 while the scheduler answers',
    registers: [registry],
    collect() {
      this.set(agent.schedulerReachable ? 1 : 0);
    },
  });
  new Gauge({
    name: 'berth_agent_docker_connected',
    help: '1 while the Docker event stream is open',
    registers: [registry],
    collect() {
      this.set(agent.dockerConnected ? 1 : 0);
    },
  });
  const transitions = new Counter({
    name: 'berth_agent_task_transitions_total',
    help: 'Task state changes by new state',
    labelNames: ['state'],
    registers: [registry],
  });
  const startSeconds = new Histogram({
    name: 'berth_agent_task_start_seconds',
    help: 'Time from assignment to every container started (RUNNING)',
    buckets: [0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [registry],
  });
  const reports = new Counter({
    name: 'berth_agent_reports_total',
    help: 'State reports by outcome (ack, retry, drop)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const restarts = new Counter({
    name: 'berth_agent_container_restarts_total',
    help: 'Containers restarted by their restart policy',
    registers: [registry],
  });
  const cleaned = new Counter({
    name: 'berth_agent_tasks_cleaned_total',
    help: 'Stopped tasks whose containers were removed',
    registers: [registry],
  });
  const images = new Counter({
    name: 'berth_agent_images_removed_total',
    help: 'Images removed because the Docker disk passed its threshold',
    registers: [registry],
  });
  const pulls = new Counter({
    name: 'berth_agent_image_pulls_total',
    help: 'Images made ready for a task, by source (pulled, cached)',
    labelNames: ['source'],
    registers: [registry],
  });
  agent.on('runner', (e) => {
    if (e.type === 'state') {
      transitions.inc({ state: e.state });
      if (e.state === 'RUNNING' && e.reason !== 'adopted') {
        const r = agent.runner(e.taskArn);
        if (r?.runningAt !== undefined) startSeconds.observe((r.runningAt - r.assignedAt) / 1000);
      }
    } else if (e.type === 'restart') restarts.inc();
    else if (e.type === 'pulled') pulls.inc({ source: e.cached ? 'cached' : 'pulled' });
  });
  agent.on('report', () => reports.inc({ outcome: 'ack' }));
  agent.on('report-retry', () => reports.inc({ outcome: 'retry' }));
  agent.on('report-drop', () => reports.inc({ outcome: 'drop' }));
  agent.on('cleanup', () => cleaned.inc());
  agent.on('image-removed', () => images.inc());
}
