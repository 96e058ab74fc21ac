/**
 * `startScheduler`: the programmatic way to run one scheduler replica (tests use it in-process,
 * port 0 included) and what `berth scheduler` calls. Wires Consul, the replica (leadership,
 * state), the HTTP listener, metrics and health. Never logs: callers pass `onEvent`.
 */
import type { AddressInfo } from 'node:net';
import { createConsul } from '@berth/consul';
import {
  adminHandler,
  type ConfigOf,
  createRegistry,
  Health,
  loadConfig,
  parseListen,
  type ListenAddress,
  type Registry,
} from '@berth/daemon';
import { SchedulerOptionError } from '../errors.js';
import { schedulerOptions } from './options.js';
import { Replica, type ReplicaEvents } from '../engine.js';
import { AwsElbTargets, type ElbTargets } from '@berth/elb';
import { EventHub } from '../events/event-hub.js';
import { Webhook } from '../adapters/webhook.js';
import { bindSchedulerMetrics } from '../metrics.js';
import { KvLayout } from '../state/records.js';
import { loadCredentialProfiles } from '../adapters/credentials-file.js';
import { createEcsServer } from '../adapters/http-server.js';
import { createDirectActions } from '../ssm/direct-actions.js';
import { createScalingActions } from '../autoscaling/scaling-actions.js';
import { ScalingLoop } from '../autoscaling/scaling-loop.js';
import { AlarmPass } from '../autoscaling/alarm-pass.js';

/**
 * Options of {@link startScheduler}: the config keys of `berth scheduler` (durations in ms, the
 * same names, so the command passes its config through), all optional, plus what only code
 * can pass.
 */
export type StartSchedulerOptions = Partial<Omit<ConfigOf<typeof schedulerOptions>, 'listen'>> & {
  /** Environment the Consul client reads (CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `host:port` or a ListenAddress; default 127.0.0.1:8700. */
  readonly listen?: string | ListenAddress;
  /** Failed leader probes that end the dead leader's session (default 3). */
  readonly probeFailures?: number;
  readonly maxBodyBytes?: number;
  readonly maxSkewMs?: number;
  readonly leaderWaitMs?: number;
  /** Static ELB credentials; default the AWS SDK's standard chain. */
  readonly elbCredentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** An ElbTargets to use instead of the AWS SDK one (tests). */
  readonly elb?: ElbTargets | undefined;
  readonly webhookAttempts?: number;
  readonly webhookBaseDelayMs?: number;
  /** Service loop's periodic pass (ms, default 2000). */
  readonly serviceIntervalMs?: number;
  readonly registry?: Registry;
  readonly health?: Health;
  /** Receives replica events (leading, following, steppedDown, failover, warn) and request faults. */
  readonly onEvent?: (
    event: keyof ReplicaEvents | 'fault',
    detail: Readonly<Record<string, unknown>>,
  ) => void;
};

export interface RunningScheduler {
  /** Task and service events (also `GET /v1/events`). */
  readonly events: EventHub;
  /** `http://host:port` of the listener. */
  readonly url: string;
  readonly address: AddressInfo;
  readonly replica: Replica;
  readonly registry: Registry;
  readonly health: Health;
  /** The auto scaler (issue 21): its metrics and last decisions. */
  readonly scaler: ScalingLoop;
  close(): Promise<void>;
}

function listenOf(v: StartSchedulerOptions['listen']): ListenAddress {
  if (v === undefined) return { host: '127.0.0.1', port: 8700 };
  if (typeof v !== 'string') return v;
  const l = parseListen(v);
  if (!l) throw new SchedulerOptionError('listen', `${JSON.stringify(v)} is not host:port`);
  return l;
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function positive(name: string, n: number): number {
  if (!Number.isFinite(n) || n < 0) throw new SchedulerOptionError(name, `must be ≥0, got ${n}`);
  return n;
}

/** Starts one scheduler replica and its listener. */
export async function startScheduler(
  options: StartSchedulerOptions = {},
): Promise<RunningScheduler> {
  const o = { ...loadConfig(schedulerOptions, [], {}), ...defined(options) };
  const listen = listenOf(options.listen);
  const { region, accountId, kvPrefix } = o;
  if (!/^\d{12}$/.test(accountId)) {
    throw new SchedulerOptionError(
      'accountId',
      `must be 12 digits, got ${JSON.stringify(accountId)}`,
    );
  }
  if (!/^[a-z0-9-]+$/.test(region))
    throw new SchedulerOptionError('region', `bad region ${region}`);
  if (kvPrefix.startsWith('/')) {
    throw new SchedulerOptionError('kvPrefix', 'must not start with /');
  }
  const agentGraceMs = positive('agentGrace', o.agentGrace);
  const lostAfterMs = positive('lostAfter', o.lostAfter);
  if (lostAfterMs < agentGraceMs) {
    throw new SchedulerOptionError('lostAfter', 'must be at least agentGrace');
  }
  if (!(o.scalingInterval > 0)) {
    throw new SchedulerOptionError('scalingInterval', `must be >0, got ${o.scalingInterval}`);
  }
  const profiles = options.credentials
    ? await loadCredentialProfiles(options.credentials)
    : undefined;
  const keys = profiles && new Map(profiles.map((p) => [p.accessKeyId, p.secretAccessKey]));
  // Each profile signs as an IAM user of that name (account settings are per principal).
  const principals =
    profiles &&
    new Map(profiles.map((p) => [p.accessKeyId, `arn:aws:iam::${accountId}:user/${p.profile}`]));
  const registry = options.registry ?? createRegistry('scheduler', false);
  const health = options.health ?? new Health();
  health.starting();
  const emit = options.onEvent ?? (() => {});
  const consul = createConsul({
    url: options.consul,
    token: options.consulToken,
    ...(options.env ? { env: options.env } : {}),
    requestTimeoutMs: 30_000,
  });

  const direct = await createDirectActions({
    consul,
    kvPrefix,
    layout: new KvLayout(kvPrefix),
    scope: { region, accountId },
    keyFile: options.secretsKey,
  });
  const metricsOf: { scaler?: ScalingLoop } = {};
  const scaling = createScalingActions({
    kv: consul.kv,
    kvPrefix,
    layout: new KvLayout(kvPrefix),
    scope: { region, accountId },
    series: () => metricsOf.scaler?.metrics.series,
  });
  if (direct.keyFileCreated)
    emit('warn', { message: `created secrets key file ${options.secretsKey}` });
  const events = new EventHub();
  const elb =
    options.elb ??
    new AwsElbTargets({
      endpoint: options.elbEndpoint,
      region: options.elbRegion ?? region,
      credentials: options.elbCredentials,
    });
  const webhook = options.webhook
    ? new Webhook(events, {
        url: options.webhook,
        ...(options.webhookAttempts !== undefined ? { attempts: options.webhookAttempts } : {}),
        ...(options.webhookBaseDelayMs !== undefined
          ? { baseDelayMs: options.webhookBaseDelayMs }
          : {}),
        onError: (error) => emit('warn', { message: error.message, error }),
      })
    : undefined;
  // Bind first so the advertised URL can carry the real port.
  const holder: { replica?: Replica } = {};
  const hooks: { onRequest?: (action: string, status: number, seconds: number) => void } = {};
  const server = createEcsServer({
    get replica() {
      return holder.replica as Replica;
    },
    keys,
    principals,
    region,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    maxSkewMs: options.maxSkewMs ?? 15 * 60 * 1000,
    leaderWaitMs: options.leaderWaitMs ?? 10_000,
    admin: adminHandler({ health, registry }),
    onRequest: (a, s, sec) => hooks.onRequest?.(a, s, sec),
    onError: (error, action) => emit('fault', { error, action }),
    events,
    direct: (target) => direct.lookup(target) ?? scaling.lookup(target),
    query: scaling.cloudwatch.api,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host || undefined, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  const replica = new Replica({
    consul,
    layout: new KvLayout(kvPrefix),
    scope: { region, accountId },
    advertiseUrl: options.advertise ?? url,
    agentGraceMs,
    lostAfterMs,
    lockTtlMs: o.lockTtl,
    probeIntervalMs: positive('leaderProbe', o.leaderProbe),
    probeFailures: options.probeFailures ?? 3,
    stoppedTaskTtlMs: o.stoppedTaskTtl,
    maxPollMs: 60_000,
    txnInFlight: o.txnInFlight,
    events,
    elb,
    ...(options.serviceIntervalMs !== undefined
      ? { serviceIntervalMs: options.serviceIntervalMs }
      : {}),
    deregistrationDelayMs: o.deregistrationDelay,
    discoveryDrainMs: o.discoveryDrain,
  });
  holder.replica = replica;
  hooks.onRequest = bindSchedulerMetrics(registry, replica);
  const r = replica;
  const follow = (): void => {
    if (r.isLeader || r.leaderUrl) health.ok();
    else health.degraded(['no scheduler leader elected']);
  };
  r.on('leading', (d) => {
    emit('leading', d);
    health.ok();
  });
  r.on('following', (d) => {
    emit('following', d);
    follow();
  });
  r.on('steppedDown', (d) => {
    emit('steppedDown', d);
    follow();
  });
  r.on('failover', (d) => emit('failover', d));
  r.on('warn', (d) => emit('warn', d));
  r.start();
  const scaler = new ScalingLoop(r, scaling.store, {
    registry,
    intervalMs: o.scalingInterval,
    onError: (error) => emit('warn', { message: 'auto scaling failed', error }),
    alarms: new AlarmPass(scaling.alarms, scaling.store, (error) =>
      emit('warn', { message: 'alarm evaluation failed', error }),
    ),
  });
  metricsOf.scaler = scaler;
  scaler.start();

  let closed = false;
  return {
    url,
    address,
    events,
    replica: r,
    registry,
    health,
    scaler,
    async close() {
      if (closed) return;
      closed = true;
      health.stopping();
      await scaler.stop();
      await r.close();
      await webhook?.close();
      if (!options.elb) elb.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      consul.close();
    },
  };
}
