/**
 * The scheduler's Application Auto Scaling API through the AWS SDK (configured like the ECS
 * client: same endpoint, region, the person's key pair, two attempts) and berth's
 * `BerthAgentV1.DescribeServiceMetrics` through the scheduler's own EcsJsonClient (which the
 * SDK cannot send), both with one person's key pair. Answers are handed on in the wire's shape
 * (times in epoch seconds) so the pure views read them as the API documents them. The only
 * file that sends these requests; must never log or return a secret key.
 */
import {
  ApplicationAutoScalingClient,
  DeleteScalingPolicyCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
  DescribeScheduledActionsCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { EcsJsonClient, SchedulerError } from '@berth/scheduler';
import { resourceIdOf, type ScalingAction } from '../core/scaling-actions.js';
import type { KeyPair } from '../core/sessions.js';
import { EcsCallError, toCallError } from './ecs-api.js';

type Obj = Record<string, unknown>;

const TARGET = {
  ServiceNamespace: 'ecs',
  ScalableDimension: 'ecs:service:DesiredCount',
} as const;

/** An SDK answer in the wire's shape: `Date` → epoch seconds, absent members left out. */
export function wireShape(v: unknown): unknown {
  if (v instanceof Date) return v.getTime() / 1000;
  if (Array.isArray(v)) return v.map(wireShape);
  if (typeof v !== 'object' || v === null) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = wireShape(x);
  return out;
}

const wireList = (list: readonly object[] | undefined): Obj[] =>
  (list ?? []).map((x) => wireShape(x) as Obj);

/** An EcsJsonClient failure (its EcsCallError says `type: message`) as the console's. */
export function fromJsonClientError(e: unknown): EcsCallError {
  if (e instanceof SchedulerError && e.code === 'BERTH_SCHEDULER_CALL') {
    const { type, status } = e as SchedulerError & { type: string; status: number };
    const name = type.slice(type.lastIndexOf('#') + 1);
    const message = e.message.startsWith(`${type}: `)
      ? e.message.slice(type.length + 2)
      : e.message;
    return new EcsCallError(name, message, status);
  }
  return toCallError(e);
}

export class ScalingApi {
  readonly client: ApplicationAutoScalingClient;
  readonly #berth: EcsJsonClient;

  constructor(
    endpoint: string,
    region: string,
    credentials: KeyPair,
    readonly timeoutMs = 10_000,
  ) {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const keys = {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
    };
    this.client = new ApplicationAutoScalingClient({
      endpoint,
      region,
      credentials: keys,
      maxAttempts: 2,
    });
    this.#berth = new EcsJsonClient({
      endpoint,
      region,
      credentials: keys,
      maxSockets: 4,
      timeoutMs,
    });
  }

  destroy(): void {
    this.client.destroy();
    this.#berth.close();
  }

  /** One SDK call, bounded by the timeout; a refusal or failure is an EcsCallError. */
  async #send<T>(fn: (options: { abortSignal: AbortSignal }) => Promise<T>): Promise<T> {
    try {
      return await fn({ abortSignal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      throw toCallError(e);
    }
  }

  /** The service's scalable target, undefined when it is not registered. */
  async target(cluster: string, service: string): Promise<Obj | undefined> {
    const r = await this.#send((o) =>
      this.client.send(
        new DescribeScalableTargetsCommand({
          ServiceNamespace: 'ecs',
          ResourceIds: [resourceIdOf(cluster, service)],
        }),
        o,
      ),
    );
    return wireList(r.ScalableTargets)[0];
  }

  /** Every policy of one service (bounded to 10 pages). */
  async policies(cluster: string, service: string): Promise<Obj[]> {
    const out: Obj[] = [];
    let NextToken: string | undefined;
    for (let i = 0; i < 10; i++) {
      const r = await this.#send((o) =>
        this.client.send(
          new DescribeScalingPoliciesCommand({
            ServiceNamespace: 'ecs',
            ResourceId: resourceIdOf(cluster, service),
            NextToken,
          }),
          o,
        ),
      );
      out.push(...wireList(r.ScalingPolicies));
      NextToken = r.NextToken;
      if (!NextToken) break;
    }
    return out;
  }

  /** Every scheduled action of one service (bounded to 10 pages). */
  async scheduledActions(cluster: string, service: string): Promise<Obj[]> {
    const out: Obj[] = [];
    let NextToken: string | undefined;
    for (let i = 0; i < 10; i++) {
      const r = await this.#send((o) =>
        this.client.send(
          new DescribeScheduledActionsCommand({
            ServiceNamespace: 'ecs',
            ResourceId: resourceIdOf(cluster, service),
            NextToken,
          }),
          o,
        ),
      );
      out.push(...wireList(r.ScheduledActions));
      NextToken = r.NextToken;
      if (!NextToken) break;
    }
    return out;
  }

  /** The newest activities (one page of at most `max`). */
  async activities(cluster: string, service: string, max = 20): Promise<Obj[]> {
    const r = await this.#send((o) =>
      this.client.send(
        new DescribeScalingActivitiesCommand({
          ServiceNamespace: 'ecs',
          ResourceId: resourceIdOf(cluster, service),
          MaxResults: max,
        }),
        o,
      ),
    );
    return wireList(r.ScalingActivities);
  }

  /** berth's utilisation of the service, from the leader. */
  async serviceMetrics(cluster: string, service: string): Promise<Obj> {
    try {
      return await this.#berth.agent<Obj>(
        'DescribeServiceMetrics',
        { cluster, service },
        AbortSignal.timeout(this.timeoutMs),
      );
    } catch (e) {
      throw fromJsonClientError(e);
    }
  }

  /** Performs a scaling action; returns a short result. */
  async perform(a: ScalingAction): Promise<string> {
    const target = { ...TARGET, ResourceId: resourceIdOf(a.cluster, a.service) };
    switch (a.kind) {
      case 'register-scalable-target':
        await this.#send((o) =>
          this.client.send(
            new RegisterScalableTargetCommand({
              ...target,
              MinCapacity: a.min,
              MaxCapacity: a.max,
            }),
            o,
          ),
        );
        return `min ${a.min}, max ${a.max}`;
      case 'put-scaling-policy':
        await this.#send((o) =>
          this.client.send(
            new PutScalingPolicyCommand({
              ...target,
              PolicyName: a.policyName,
              PolicyType: 'TargetTrackingScaling',
              TargetTrackingScalingPolicyConfiguration: {
                TargetValue: a.targetValue,
                PredefinedMetricSpecification: { PredefinedMetricType: a.metric },
                ScaleOutCooldown: a.scaleOutCooldown,
                ScaleInCooldown: a.scaleInCooldown,
                DisableScaleIn: a.disableScaleIn,
              },
            }),
            o,
          ),
        );
        return `policy ${a.policyName} in place`;
      case 'delete-scaling-policy':
        await this.#send((o) =>
          this.client.send(
            new DeleteScalingPolicyCommand({ ...target, PolicyName: a.policyName }),
            o,
          ),
        );
        return `policy ${a.policyName} deleted`;
    }
  }
}
