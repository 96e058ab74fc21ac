/**
 * ElbTargets on `@aws-sdk/client-elastic-load-balancing-v2`, with the SDK's own retry strategy
 * (`standard` by default, or `adaptive`, which also rate-limits the client when AWS throttles):
 * transient faults, throttling and timeouts are retried inside the SDK with its jittered
 * backoff and retry quota; a request AWS calls wrong fails at once. Each attempt is bounded by
 * a request timeout. It emits nothing and never logs; callers see the final ElbError.
 */

import {
  DeregisterTargetsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ElbError } from './elb-error.js';
import type { ElbTargets, TargetState } from './elb-targets.js';

/** Options of AwsElbTargets. */
export interface AwsElbTargetsOptions {
  /** API endpoint override (`--elb-endpoint`, tests, VPC endpoints); default the region's. */
  readonly endpoint?: string | undefined;
  /** Region; default the SDK's chain (AWS_REGION, config files). */
  readonly region?: string | undefined;
  /** Static credentials; default the SDK's standard chain. */
  readonly credentials?:
    | {
        readonly accessKeyId: string;
        readonly secretAccessKey: string;
        readonly sessionToken?: string;
      }
    | undefined;
  /** The SDK's retry mode (default `standard`). */
  readonly retryMode?: 'standard' | 'adaptive';
  /** Attempts per call, the first included (default 5). */
  readonly maxAttempts?: number;
  /** Time limit of one attempt in ms (default 10000). */
  readonly requestTimeoutMs?: number;
}

/** ELB's default deregistration delay. */
const DEFAULT_DEREGISTRATION_DELAY_MS = 300_000;

/** ELBv2 reached through the AWS SDK. */
export class AwsElbTargets implements ElbTargets {
  readonly #client: ElasticLoadBalancingV2Client;
  readonly #delays = new Map<string, number>();

  constructor(options: AwsElbTargetsOptions = {}) {
    const timeout = options.requestTimeoutMs ?? 10_000;
    this.#client = new ElasticLoadBalancingV2Client({
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.region ? { region: options.region } : {}),
      ...(options.credentials ? { credentials: { ...options.credentials } } : {}),
      retryMode: options.retryMode ?? 'standard',
      maxAttempts: options.maxAttempts ?? 5,
      // Without throwOnRequestTimeout the SDK only warns and the attempt hangs on.
      requestHandler: {
        requestTimeout: timeout,
        connectionTimeout: timeout,
        throwOnRequestTimeout: true,
      },
    });
  }

  async register(targetGroupArn: string, id: string, port: number): Promise<void> {
    await this.#send('RegisterTargets', (c) =>
      c.send(
        new RegisterTargetsCommand({
          TargetGroupArn: targetGroupArn,
          Targets: [{ Id: id, Port: port }],
        }),
      ),
    );
  }

  async deregister(targetGroupArn: string, id: string, port: number): Promise<void> {
    await this.#send('DeregisterTargets', (c) =>
      c.send(
        new DeregisterTargetsCommand({
          TargetGroupArn: targetGroupArn,
          Targets: [{ Id: id, Port: port }],
        }),
      ),
    );
  }

  async health(targetGroupArn: string): Promise<Map<string, TargetState>> {
    const r = await this.#send('DescribeTargetHealth', (c) =>
      c.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn })),
    );
    const out = new Map<string, TargetState>();
    for (const d of r.TargetHealthDescriptions ?? []) {
      const state = d.TargetHealth?.State;
      if (d.Target?.Id && state) {
        out.set(
          `${d.Target.Id}:${d.Target.Port ?? 0}`,
          state === 'unhealthy.draining' ? 'draining' : state,
        );
      }
    }
    return out;
  }

  async deregistrationDelayMs(targetGroupArn: string): Promise<number> {
    const cached = this.#delays.get(targetGroupArn);
    if (cached !== undefined) return cached;
    const r = await this.#send('DescribeTargetGroupAttributes', (c) =>
      c.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: targetGroupArn })),
    );
    const v = r.Attributes?.find((a) => a.Key === 'deregistration_delay.timeout_seconds')?.Value;
    const ms =
      v !== undefined && /^\d+$/.test(v) ? Number(v) * 1000 : DEFAULT_DEREGISTRATION_DELAY_MS;
    this.#delays.set(targetGroupArn, ms);
    return ms;
  }

  close(): void {
    this.#client.destroy();
  }

  /** Runs one SDK call (retried inside the SDK); its final failure becomes an ElbError. */
  async #send<T>(
    operation: string,
    call: (client: ElasticLoadBalancingV2Client) => Promise<T>,
  ): Promise<T> {
    try {
      return await call(this.#client);
    } catch (e) {
      throw new ElbError(operation, { cause: e });
    }
  }
}
