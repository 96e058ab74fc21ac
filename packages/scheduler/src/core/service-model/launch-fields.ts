/**
 * The launch fields of RunTask, StartTask and CreateTaskSet that berth's EC2-only, bridge/host
 * world cannot honour, refused as ECS refuses them there instead of being ignored: a
 * capacity provider strategy (berth has no capacity providers; with a launch type ECS says
 * both cannot be given), a network configuration (only for awsvpc task definitions, which
 * berth refuses), a platform version (Fargate only). Pure; must never look anything up.
 */
import { invalid } from './request-reader.js';

/** ECS's wording for each refusal. */
export const LAUNCH_MESSAGES = {
  both: 'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.',
  capacityProvider:
    'The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.',
  network: 'Network Configuration is not valid for the given networkMode of this task definition.',
  platform: 'The platform version must be null when specifying an EC2 launch type.',
} as const;

/** Throws InvalidParameterException for a launch field berth cannot honour. */
export function checkLaunchFields(raw: (field: string) => unknown): void {
  const given = (f: string): boolean => raw(f) !== undefined && raw(f) !== null;
  const cps = raw('capacityProviderStrategy');
  if (Array.isArray(cps) && cps.length > 0) {
    throw invalid(
      'capacityProviderStrategy',
      given('launchType') ? LAUNCH_MESSAGES.both : LAUNCH_MESSAGES.capacityProvider,
    );
  }
  if (given('networkConfiguration')) throw invalid('networkConfiguration', LAUNCH_MESSAGES.network);
  if (given('platformVersion')) throw invalid('platformVersion', LAUNCH_MESSAGES.platform);
}
