/**
 * The service scheduler's ELB side: RegisterTargets / DeregisterTargets (instance ID and host
 * port), DescribeTargetHealth and the target group's deregistration delay, through
 * `@aws-sdk/client-elastic-load-balancing-v2` with a configurable endpoint, region and
 * credentials. AWS errors are retried with exponential back-off (bounded attempts). Emits
 * nothing and never logs; callers see the final error.
 */
import {
  DeregisterTargetsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ElbError } from '../errors.js';
import type { TargetHealth } from '../services/types.js';

/** What the service loop needs from ELB. */
export interface ElbTargets {
  register(targetGroupArn: string, id: string, port: number): Promise<void>;
  deregister(targetGroupArn: string, id: string, port: number): Promise<void>;
  /** `<id>:<port>` -> state, for every target of the group. */
  health(targetGroupArn: string): Promise<Map<string, TargetHealth['state']>>;
  /** The group's `deregistration_delay.timeout_seconds`, in ms. */
  deregistrationDelayMs(targetGroupArn: string): Promise<number>;
  close(): void;
}

export interface AwsElbTargetsOptions {
  /** API endpoint (`--elb-endpoint`); default the SDK's for the region. */
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
  /** Static credentials; default the SDK's standard chain. */
  readonly credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** Attempts per call (default 5), back-off from `baseDelayMs` (100) doubling, cap 5 s. */
  readonly attempts?: number;
  readonly baseDelayMs?: number;
  readonly timeoutMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** ELB reached through the AWS SDK. */
export class AwsElbTargets implements ElbTargets {
  readonly #client: ElasticLoadBalancingV2Client;
  readonly #o: AwsElbTargetsOptions;
  readonly #delays = new Map<string, number>();

  constructor(options: AwsElbTargetsOptions = {}) {
    this.#o = options;
    this.#client = new ElasticLoadBalancingV2Client({
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      region: options.region ?? 'us-east-1',
      ...(options.credentials ? { credentials: options.credentials } : {}),
      maxAttempts: 1, // retries are ours, with our back-off
    });
  }

  async register(targetGroupArn: string, id: string, port: number): Promise<void> {
    await this.#send('RegisterTargets', (signal) =>
      this.#client.send(
        new RegisterTargetsCommand({
          TargetGroupArn: targetGroupArn,
          Targets: [{ Id: id, Port: port }],
        }),
        { abortSignal: signal },
      ),
    );
  }

  async deregister(targetGroupArn: string, id: string, port: number): Promise<void> {
    await this.#send('DeregisterTargets', (signal) =>
      this.#client.send(
        new DeregisterTargetsCommand({
          TargetGroupArn: targetGroupArn,
          Targets: [{ Id: id, Port: port }],
        }),
        { abortSignal: signal },
      ),
    );
  }

  async health(targetGroupArn: string): Promise<Map<string, TargetHealth['state']>> {
    const r = await this.#send('DescribeTargetHealth', (signal) =>
      this.#client.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }), {
        abortSignal: signal,
      }),
    );
    const out = new Map<string, TargetHealth['state']>();
    for (const d of r.TargetHealthDescriptions ?? []) {
      const state = d.TargetHealth?.State;
      if (d.Target?.Id && state)
        out.set(
          `${d.Target.Id}:${d.Target.Port ?? 0}`,
          state === 'unhealthy.draining' ? 'draining' : state,
        );
    }
    return out;
  }

  async deregistrationDelayMs(targetGroupArn: string): Promise<number> {
    const cached = this.#delays.get(targetGroupArn);
    if (cached !== undefined) return cached;
    const r = await this.#send('DescribeTargetGroupAttributes', (signal) =>
      this.#client.send(
        new DescribeTargetGroupAttributesCommand({ TargetGroupArn: targetGroupArn }),
        { abortSignal: signal },
      ),
    );
    const v = r.Attributes?.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value;
    const ms = v !== undefined && /^\d+$/.test(v) ? Number(v) * 1000 : 300_000;
    this.#delays.set(targetGroupArn, ms);
    return ms;
  }

  close(): void {
    this.#client.destroy();
  }

  async #send<T>(op: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const attempts = this.#o.attempts ?? 5;
    let delay = this.#o.baseDelayMs ?? 100;
    for (let i = 1; ; i++) {
      try {
        return await fn(AbortSignal.timeout(this.#o.timeoutMs ?? 10_000));
      } catch (e) {
        const fault = (e as { $fault?: string; name?: string }).$fault;
        const name = (e as { name?: string }).name ?? '';
        const retryable = fault !== 'client' || /Throttl|TooManyRequests/.test(name);
        if (i >= attempts || !retryable) throw new ElbError(op, { cause: e });
        await sleep(delay);
        delay = Math.min(5000, delay * 2);
      }
    }
  }
}
