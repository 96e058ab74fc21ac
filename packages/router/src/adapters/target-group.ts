/**
 * The ELB side: a narrow `TargetGroup` interface (register / deregister one target), its AWS
 * implementation over `@aws-sdk/client-elastic-load-balancing-v2`, and a registrar that keeps
 * retrying with back-off while the router serves. Credentials come from the SDK's standard
 * chain. It must never stop the router because AWS failed; it emits, never logs.
 */
import { EventEmitter } from 'node:events';
import {
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
  DeregisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { TargetGroupError } from '../errors.js';

/** One target: an instance ID or IP address, and a port. */
export interface ElbTarget {
  readonly id: string;
  readonly port: number;
}

/** One ELB target group. */
export interface TargetGroup {
  register(target: ElbTarget): Promise<void>;
  deregister(target: ElbTarget): Promise<void>;
}

/** Options of {@link AwsTargetGroup}. */
export interface AwsTargetGroupOptions {
  readonly arn: string;
  /** API endpoint override (tests, VPC endpoints). */
  readonly endpoint?: string | undefined;
  /** Region; default from the SDK's chain (AWS_REGION, config files). */
  readonly region?: string | undefined;
  /** Per-call time limit in ms. */
  readonly timeoutMs?: number;
}

/** A target group reached through the AWS SDK. */
export class AwsTargetGroup implements TargetGroup {
  readonly #client: ElasticLoadBalancingV2Client;
  readonly #timeoutMs: number;
  constructor(readonly options: AwsTargetGroupOptions) {
    this.#client = new ElasticLoadBalancingV2Client({
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.region ? { region: options.region } : {}),
      maxAttempts: 1, // the registrar owns retries
    });
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  async register(target: ElbTarget): Promise<void> {
    await this.#send('RegisterTargets', (signal) =>
      this.#client.send(
        new RegisterTargetsCommand({
          TargetGroupArn: this.options.arn,
          Targets: [{ Id: target.id, Port: target.port }],
        }),
        { abortSignal: signal },
      ),
    );
  }

  async deregister(target: ElbTarget): Promise<void> {
    await this.#send('DeregisterTargets', (signal) =>
      this.#client.send(
        new DeregisterTargetsCommand({
          TargetGroupArn: this.options.arn,
          Targets: [{ Id: target.id, Port: target.port }],
        }),
        { abortSignal: signal },
      ),
    );
  }

  async #send(op: string, fn: (signal: AbortSignal) => Promise<unknown>): Promise<void> {
    const signal = AbortSignal.timeout(this.#timeoutMs);
    try {
      await fn(signal);
    } catch (err) {
      throw new TargetGroupError(op, { cause: err });
    }
  }

  /** Closes the SDK's sockets. */
  destroy(): void {
    this.#client.destroy();
  }
}

/** Events of {@link ElbRegistrar}. */
export interface ElbRegistrarEvents {
  registered: [ElbTarget];
  deregistered: [ElbTarget];
  /** A failed call; the registrar retries after `delayMs` (-1: gave up). */
  error: [{ op: string; error: Error; attempt: number; delayMs: number }];
}

/** Back-off of the registrar. */
export interface RegistrarBackoff {
  readonly baseMs: number;
  readonly maxMs: number;
  /** Attempts of the deregistration at shutdown. */
  readonly deregisterAttempts: number;
}

/** Registers one target, retrying with back-off, and deregisters it at shutdown. */
export class ElbRegistrar extends EventEmitter<ElbRegistrarEvents> {
  #registered = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(
    readonly group: TargetGroup,
    readonly target: ElbTarget,
    readonly backoff: RegistrarBackoff = { baseMs: 500, maxMs: 30_000, deregisterAttempts: 3 },
  ) {
    super();
  }

  get registered(): boolean {
    return this.#registered;
  }

  /** Starts registering (returns at once; retries in the background). */
  start(): void {
    this.#stopped = false;
    if (this.#running === undefined) this.#running = this.#register(1);
  }

  async #register(attempt: number): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.group.register(this.target);
      if (this.#stopped) return;
      this.#registered = true;
      this.emit('registered', this.target);
    } catch (err) {
      const delayMs = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** (attempt - 1));
      this.emit('error', { op: 'RegisterTargets', error: err as Error, attempt, delayMs });
      if (this.#stopped) return;
      await new Promise<void>((resolve) => {
        this.#timer = setTimeout(resolve, delayMs);
      });
      return this.#register(attempt + 1);
    }
  }

  /** Stops retrying and deregisters (bounded attempts). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#running;
    this.#running = undefined;
    for (let attempt = 1; attempt <= this.backoff.deregisterAttempts; attempt++) {
      try {
        await this.group.deregister(this.target);
        this.#registered = false;
        this.emit('deregistered', this.target);
        return;
      } catch (err) {
        const last = attempt === this.backoff.deregisterAttempts;
        const delayMs = last
          ? -1
          : Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** (attempt - 1));
        this.emit('error', { op: 'DeregisterTargets', error: err as Error, attempt, delayMs });
        if (!last) await new Promise((r) => setTimeout(r, delayMs));
      }
    }
  }
}
