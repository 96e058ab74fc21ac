// Shared steps of the auto scaling end-to-end tests (issue 21) against a running `berth dev`:
// `aws application-autoscaling` with the dev's credentials, a service's scalable target with
// one target-tracking policy, the service's desired and running counts.
//
// It must never talk to anything but loopback, and every call in it is bounded.
import { DescribeServicesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { awsCli } from './aws-cli.js';
import type { RunningDev } from './berth-dev.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** One `aws application-autoscaling` call; throws with the CLI's stderr when it fails. */
export async function aas(dev: RunningDev, dir: string, args: readonly string[]): Promise<Json> {
  const r = await awsCli('application-autoscaling', args, {
    endpoint: dev.info.endpoint,
    region: dev.info.region,
    home: dir,
    credentialsFile: dev.info.credentialsFile,
    timeoutMs: 60_000,
  });
  if (r.code !== 0) throw new Error(`aws application-autoscaling ${args[0]}: ${r.stderr}`);
  return r.out ?? {};
}

/** The service's desired and running counts (-1 when it is not found). */
export async function serviceCounts(
  ecs: ECSClient,
  service: string,
): Promise<{ desired: number; running: number }> {
  const out = await ecs.send(new DescribeServicesCommand({ services: [service] }));
  const s = out.services?.[0];
  return { desired: s?.desiredCount ?? -1, running: s?.runningCount ?? -1 };
}

/** What a target-tracking policy of the test says. */
export interface Tracking {
  readonly policyName: string;
  readonly metric: string;
  readonly targetValue: number;
  readonly scaleOutCooldown: number;
  readonly scaleInCooldown: number;
}

/**
 * Registers `service` of the default cluster as a scalable target between `min` and `max`
 * and puts one target-tracking policy on it, both with the real CLI.
 */
export async function trackTarget(
  dev: RunningDev,
  dir: string,
  service: string,
  bounds: { readonly min: number; readonly max: number },
  p: Tracking,
): Promise<void> {
  const target = [
    '--service-namespace',
    'ecs',
    '--scalable-dimension',
    'ecs:service:DesiredCount',
    '--resource-id',
    `service/default/${service}`,
  ];
  await aas(dev, dir, [
    'register-scalable-target',
    ...target,
    '--min-capacity',
    String(bounds.min),
    '--max-capacity',
    String(bounds.max),
  ]);
  await aas(dev, dir, [
    'put-scaling-policy',
    ...target,
    '--policy-name',
    p.policyName,
    '--policy-type',
    'TargetTrackingScaling',
    '--target-tracking-scaling-policy-configuration',
    JSON.stringify({
      TargetValue: p.targetValue,
      PredefinedMetricSpecification: { PredefinedMetricType: p.metric },
      ScaleOutCooldown: p.scaleOutCooldown,
      ScaleInCooldown: p.scaleInCooldown,
    }),
  ]);
}
