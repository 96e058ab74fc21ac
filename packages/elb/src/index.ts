/**
 * @berth/elb: the one ELBv2 adapter berth's daemons share (the scheduler registers service
 * tasks, the router registers itself), on the AWS SDK with the SDK's own retry strategy.
 */
export { ElbError } from './elb-error.js';
export {
  type ElbTarget,
  type ElbTargets,
  type TargetGroup,
  type TargetState,
  targetGroupOf,
} from './elb-targets.js';
export { AwsElbTargets, type AwsElbTargetsOptions } from './aws-elb-targets.js';
export {
  DEFAULT_REGISTRAR_BACKOFF,
  ElbRegistrar,
  type ElbRegistrarEvents,
  type RegistrarBackoff,
} from './elb-registrar.js';
