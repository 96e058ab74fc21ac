/**
 * The scheduler's Application Auto Scaling API (AWS JSON 1.1, `AnyScaleFrontendService.*`,
 * SigV4 service `application-autoscaling`) and berth's `BerthAgentV1.DescribeServiceMetrics`
 * (SigV4 service `ecs`), signed with one person's key pair on the same endpoint as the ECS
 * API. The only file that sends these requests; must never log or return a secret key.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { resourceIdOf, type ScalingAction } from '../core/scaling-actions.js';
import type { KeyPair } from '../core/sessions.js';
import { EcsCallError } from './ecs-api.js';

type Obj = Record<string, unknown>;

const TARGET = { ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount' };

export class ScalingApi {
  constructor(
    readonly endpoint: string,
    readonly region: string,
    readonly credentials: KeyPair,
    readonly timeoutMs = 10_000,
  ) {}

  /** One signed JSON 1.1 call; a refusal or failure is an EcsCallError. */
  async call<T = Obj>(target: string, body: unknown, service: string): Promise<T> {
    const url = new URL('/', this.endpoint);
    const text = JSON.stringify(body ?? {});
    const signer = new SignatureV4({
      credentials: this.credentials,
      region: this.region,
      service,
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: '/',
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': target,
      },
      body: text,
    });
    let res: Response;
    let answer: string;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: signed.headers as Record<string, string>,
        body: text,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      answer = await res.text();
    } catch (e) {
      throw new EcsCallError(
        'SchedulerUnreachable',
        `The scheduler cannot be reached: ${(e as Error).message}`,
        502,
      );
    }
    let json: Obj = {};
    try {
      json = answer ? (JSON.parse(answer) as Obj) : {};
    } catch {
      // not JSON: reported below by status
    }
    if (!res.ok) {
      const type = String(json['__type'] ?? 'ServerException');
      const message = json['message'] ?? json['Message'] ?? `HTTP ${res.status}`;
      throw new EcsCallError(type.slice(type.lastIndexOf('#') + 1), String(message), res.status);
    }
    return json as T;
  }

  aas<T = Obj>(action: string, body: Obj): Promise<T> {
    return this.call<T>(`AnyScaleFrontendService.${action}`, body, 'application-autoscaling');
  }

  /** The service's scalable target, undefined when it is not registered. */
  async target(cluster: string, service: string): Promise<Obj | undefined> {
    const r = await this.aas<{ ScalableTargets?: Obj[] }>('DescribeScalableTargets', {
      ServiceNamespace: 'ecs',
      ResourceIds: [resourceIdOf(cluster, service)],
    });
    return r.ScalableTargets?.[0];
  }

  /** Every page of a Describe* listing of one service (bounded to 10 pages). */
  async #list(action: string, key: string, cluster: string, service: string): Promise<Obj[]> {
    const out: Obj[] = [];
    let NextToken: string | undefined;
    for (let i = 0; i < 10; i++) {
      const r = await this.aas<Obj>(action, {
        ServiceNamespace: 'ecs',
        ResourceId: resourceIdOf(cluster, service),
        ...(NextToken ? { NextToken } : {}),
      });
      out.push(...((r[key] as Obj[] | undefined) ?? []));
      NextToken = r['NextToken'] as string | undefined;
      if (!NextToken) break;
    }
    return out;
  }

  policies(cluster: string, service: string): Promise<Obj[]> {
    return this.#list('DescribeScalingPolicies', 'ScalingPolicies', cluster, service);
  }

  scheduledActions(cluster: string, service: string): Promise<Obj[]> {
    return this.#list('DescribeScheduledActions', 'ScheduledActions', cluster, service);
  }

  /** The newest activities (one page of at most `max`). */
  async activities(cluster: string, service: string, max = 20): Promise<Obj[]> {
    const r = await this.aas<{ ScalingActivities?: Obj[] }>('DescribeScalingActivities', {
      ServiceNamespace: 'ecs',
      ResourceId: resourceIdOf(cluster, service),
      MaxResults: max,
    });
    return r.ScalingActivities ?? [];
  }

  /** berth's utilisation of the service, from the leader. */
  serviceMetrics(cluster: string, service: string): Promise<Obj> {
    return this.call('BerthAgentV1.DescribeServiceMetrics', { cluster, service }, 'ecs');
  }

  /** Performs a scaling action; returns a short result. */
  async perform(a: ScalingAction): Promise<string> {
    const target = { ...TARGET, ResourceId: resourceIdOf(a.cluster, a.service) };
    switch (a.kind) {
      case 'register-scalable-target':
        await this.aas('RegisterScalableTarget', {
          ...target,
          MinCapacity: a.min,
          MaxCapacity: a.max,
        });
        return `min ${a.min}, max ${a.max}`;
      case 'put-scaling-policy':
        await this.aas('PutScalingPolicy', {
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
        });
        return `policy ${a.policyName} in place`;
      case 'delete-scaling-policy':
        await this.aas('DeleteScalingPolicy', { ...target, PolicyName: a.policyName });
        return `policy ${a.policyName} deleted`;
    }
  }
}
