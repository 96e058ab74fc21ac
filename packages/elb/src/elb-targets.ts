/**
 * The narrow interface berth's daemons need from ELBv2: register and deregister one target
 * (instance ID or IP, and port) in a target group, the group's target health, and its
 * deregistration delay. `targetGroupOf` binds it to one group (the router's view: it
 * registers itself). Implementations: aws-elb-targets.ts (the AWS SDK) and, in tests, any
 * object with these methods. Types only.
 */

/** One target: an instance ID or IP address, and a port. */
export interface ElbTarget {
  readonly id: string;
  readonly port: number;
}

/** ELB's target health states (`unhealthy.draining` reads as `draining`). */
export type TargetState =
  'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable';

/** ELBv2 target groups as berth uses them. Failures throw ElbError. */
export interface ElbTargets {
  register(targetGroupArn: string, id: string, port: number): Promise<void>;
  deregister(targetGroupArn: string, id: string, port: number): Promise<void>;
  /** `<id>:<port>` -> state, for every target of the group. */
  health(targetGroupArn: string): Promise<Map<string, TargetState>>;
  /** The group's `deregistration_delay.timeout_seconds`, in ms (ELB's default 300 s). */
  deregistrationDelayMs(targetGroupArn: string): Promise<number>;
  /** Closes the SDK's sockets. */
  close(): void;
}

/** One target group (the router registers itself in one). */
export interface TargetGroup {
  readonly arn: string;
  register(target: ElbTarget): Promise<void>;
  deregister(target: ElbTarget): Promise<void>;
}

/** `elb` bound to the target group `arn`. */
export function targetGroupOf(elb: ElbTargets, arn: string): TargetGroup {
  return {
    arn,
    register: (target) => elb.register(arn, target.id, target.port),
    deregister: (target) => elb.deregister(arn, target.id, target.port),
  };
}
