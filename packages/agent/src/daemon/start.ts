/**
 * startAgent: the agent as a library (what `berth agent` and the tests run) — Docker runtime,
 * signed scheduler client, the engine, its metrics and /health, and the introspection
 * listener. `deps` swaps in other implementations (in-memory runtime or scheduler).
 * It must never exit the process or log; the daemon command does that from events.
 */

import { readFileSync } from 'node:fs';
import {
  Health,
  type ListenAddress,
  type Registry,
  adminHandler,
  createRegistry,
  parseListen,
} from '@berth/daemon';
import { resolveAgentOptions } from '../core/agent-settings.js';
import { Agent, type AgentOptions } from '../engine.js';
import { schedulerUrls } from './options.js';
import type { ContainerRuntime } from '../adapters/container-runtime.js';
import { DockerRuntime } from '../adapters/docker-runtime.js';
import { AgentOptionError } from '../errors.js';
import { connectScheduler } from '../scheduler-client.js';
import { type IntrospectionServer, startIntrospection } from '../adapters/introspection.js';
import { agentMetrics } from './metrics.js';
import type { SchedulerClient } from '../adapters/scheduler-client.js';
import { startTaskStats } from '../task-stats.js';

/** The agent's version (from its package.json). */
export const AGENT_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as {
      version?: string;
    };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

/** Options of startAgent: the engine's plus where things are. */
export interface StartAgentOptions extends AgentOptions {
  /** The scheduler's ECS endpoint (default http://127.0.0.1:8700); replicas comma-separated. */
  readonly scheduler?: string;
  /** Region the requests are signed for (default us-east-1). */
  readonly region?: string;
  /** Introspection listener (default 127.0.0.1:51678; port 0 picks one). */
  readonly listen?: ListenAddress | string;
  /** Docker socket. */
  readonly docker?: string;
  /** Task stats for auto scaling, from Docker (ms, default 10000; 0: off). */
  readonly statsInterval?: number;
  /** Where AWS credentials are read from (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Implementations to use instead of the real ones. */
export interface StartAgentDeps {
  readonly runtime?: ContainerRuntime;
  readonly client?: SchedulerClient;
  readonly health?: Health;
  readonly registry?: Registry;
}

/** A running agent. */
export interface RunningAgent {
  readonly agent: Agent;
  readonly instanceArn: string;
  readonly instanceId: string;
  /** `host:port` of the introspection listener. */
  readonly address: string;
  readonly url: string;
  readonly health: Health;
  readonly registry: Registry;
  /** Agent shutdown: containers keep running (a restarted agent adopts them). */
  close(): Promise<void>;
}

/** Starts the agent; resolves once it is registered with the scheduler. */
export async function startAgent(
  options: StartAgentOptions,
  deps: StartAgentDeps = {},
): Promise<RunningAgent> {
  const listen =
    typeof options.listen === 'string'
      ? parseListen(options.listen)
      : (options.listen ?? { host: '127.0.0.1', port: 51678 });
  if (!listen)
    throw new AgentOptionError('--listen', `${JSON.stringify(options.listen)} is not host:port`);
  // Every option is checked before anything starts (the engine checks them again).
  resolveAgentOptions(options);
  const schedulers = schedulerUrls(options.scheduler ?? 'http://127.0.0.1:8700');
  let client = deps.client;
  client ??= await connectScheduler({
    urls: schedulers,
    cluster: options.cluster,
    region: options.region ?? 'us-east-1',
    env: options.env ?? process.env,
  });
  const runtime =
    deps.runtime ?? new DockerRuntime(options.docker ? { socketPath: options.docker } : {});
  const health = deps.health ?? new Health();
  const registry = deps.registry ?? createRegistry('agent', false);
  const agent = new Agent({ agentVersion: AGENT_VERSION, ...options }, runtime, client);
  agentMetrics(registry, agent);
  health.starting();
  agent.on('health', (reasons) => (reasons.length ? health.degraded(reasons) : health.ok()));
  let server: IntrospectionServer | undefined;
  try {
    server = await startIntrospection(
      listen,
      {
        cluster: options.cluster,
        instanceArn: () => agent.instanceArn,
        version: AGENT_VERSION,
        tasks: () => agent.tasks(),
        logs: (id, tail) => runtime.logs(id, tail),
      },
      adminHandler({ health, registry }),
    );
    await agent.start();
  } catch (err) {
    await agent.close();
    await server?.close();
    throw err;
  }
  const srv = server;
  const stats = startTaskStats(agent, runtime, options.statsInterval);
  const address = `${srv.address.address}:${srv.address.port}`;
  return {
    agent,
    instanceArn: agent.instanceArn,
    instanceId: agent.instanceId,
    address,
    url: `http://${address}`,
    health,
    registry,
    close: async () => {
      await stats?.stop();
      await agent.close();
      await srv.close();
    },
  };
}
