// Shared set-up of the scheduler's auto scaling tests (issue 21): the `web` service of the
// default cluster as a scalable target (CLI arguments, JSON form, CloudWatch dimensions), the
// real AWS CLI against a test stack, and the service's counts. Loopback only.
import { awsCli, type CliResult } from '../../../test/helpers/aws-cli.js';
import { CREDS, type Stack, webTaskDef } from './fixtures.js';

/** `service/default/web` as the CLI's target arguments. */
export const WEB_TARGET_ARGS: readonly string[] = [
  '--service-namespace',
  'ecs',
  '--scalable-dimension',
  'ecs:service:DesiredCount',
  '--resource-id',
  'service/default/web',
];

/** `service/default/web` as the API's JSON. */
export const WEB_TARGET = {
  ServiceNamespace: 'ecs',
  ScalableDimension: 'ecs:service:DesiredCount',
  ResourceId: 'service/default/web',
} as const;

/** The CloudWatch dimensions of the `web` service's metrics. */
export const WEB_DIMENSIONS: readonly string[] = [
  '--dimensions',
  'Name=ClusterName,Value=default',
  'Name=ServiceName,Value=web',
];

/** `aws <service> <args>` against the stack; empty output reads as `{}`; a refusal is a result. */
export function cliOf(s: Stack): (service: string, args: readonly string[]) => Promise<CliResult> {
  return async (service, args) => {
    const r = await awsCli(service, [...args], {
      endpoint: s.scheduler.url,
      home: s.dir,
      credentials: CREDS,
    });
    return { ...r, out: r.out ?? {} };
  };
}

/** The default cluster and the `web` task definition, and the service when `desiredCount` is given. */
export async function createWeb(s: Stack, desiredCount?: number): Promise<void> {
  await s.json.ecs('CreateCluster', { clusterName: 'default' });
  await s.json.ecs('RegisterTaskDefinition', webTaskDef());
  if (desiredCount !== undefined) {
    await s.json.ecs('CreateService', { serviceName: 'web', taskDefinition: 'web', desiredCount });
  }
}

export interface WebService {
  readonly desiredCount: number;
  readonly runningCount: number;
}

/** The `web` service as DescribeServices answers it. */
export async function webService(s: Stack): Promise<WebService> {
  const r = await s.json.ecs<{ services: WebService[] }>('DescribeServices', { services: ['web'] });
  return r.services[0]!;
}
