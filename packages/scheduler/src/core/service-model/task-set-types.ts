/**
 * The data model of task sets, the unit of the EXTERNAL deployment controller: each set runs
 * `scale` percent of the service's desired count of one task definition, registered in its
 * own load balancers; the PRIMARY set's task definition and load balancers are the service's.
 * Plain data only; must never hold behaviour.
 */
import type { LoadBalancer, Tag } from './types.js';

/** ECS's deployment controllers berth runs (CODE_DEPLOY needs AWS CodeDeploy). */
export type DeploymentControllerType = 'ECS' | 'EXTERNAL';

/** How a service's tags reach its tasks. */
export type PropagateTags = 'TASK_DEFINITION' | 'SERVICE' | 'NONE';

/** A task set as stored inside its service record. */
export interface TaskSet {
  /** `ecs-svc/` and 19 digits: the tasks' `startedBy`, as ECS. */
  id: string;
  taskSetArn: string;
  /** PRIMARY serves production traffic; DRAINING is being deleted. */
  status: 'PRIMARY' | 'ACTIVE' | 'DRAINING';
  /** The task definition ARN. */
  taskDefinition: string;
  externalId?: string | undefined;
  launchType: 'EC2';
  loadBalancers: LoadBalancer[];
  /** Percent of the service's desired count, 0-100. */
  scale: { value: number; unit: 'PERCENT' };
  stabilityStatus: 'STEADY_STATE' | 'STABILIZING';
  stabilityStatusAt: number;
  createdAt: number;
  updatedAt: number;
  tags: Tag[];
  clientToken?: string | undefined;
}
