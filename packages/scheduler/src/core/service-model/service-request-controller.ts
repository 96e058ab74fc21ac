/**
 * The CreateService / UpdateService fields about who deploys and how tags travel: the
 * deployment controller (ECS's rolling updates, or EXTERNAL with task sets; CODE_DEPLOY needs
 * AWS CodeDeploy), what an EXTERNAL service leaves to its task sets, and propagateTags /
 * enableECSManagedTags. Pure; must never look anything up.
 */
import { invalid, type RequestReader } from './request-reader.js';
import type { DeploymentControllerType, PropagateTags, SchedulingStrategy } from './types.js';

/** `deploymentController.type`, ECS when absent. */
export function readDeploymentController(r: RequestReader): DeploymentControllerType {
  const controller = r.object('deploymentController');
  const t = controller?.enumOf('type', ['ECS', 'CODE_DEPLOY', 'EXTERNAL'] as const);
  if (t === 'CODE_DEPLOY') {
    throw invalid(
      'deploymentController.type',
      'The CODE_DEPLOY deployment controller is not supported: berth has no AWS CodeDeploy. ' +
        'Use EXTERNAL and task sets for blue/green deployments.',
    );
  }
  return t ?? 'ECS';
}

/**
 * CreateService of an EXTERNAL service: only the parameters its task sets do not control
 * (ECS: "you can specify only parameters that aren't controlled at the task set level").
 */
export function checkExternalCreate(r: RequestReader, strategy: SchedulingStrategy): void {
  if (strategy === 'DAEMON') {
    throw invalid(
      'schedulingStrategy',
      'The EXTERNAL deployment controller does not support the DAEMON scheduling strategy.',
    );
  }
  if (r.has('taskDefinition')) throw invalid('taskDefinition', 'TaskDefinition must be blank');
  const lbs = r.raw('loadBalancers');
  if (Array.isArray(lbs) && lbs.length > 0) {
    throw invalid(
      'loadBalancers',
      'LoadBalancers must be blank: a service with the EXTERNAL deployment controller takes ' +
        'its load balancers from its task sets (CreateTaskSet).',
    );
  }
  checkEcsOnly(r);
}

/** The circuit breaker and berth's rebalancing belong to the ECS controller. */
function checkEcsOnly(r: RequestReader): void {
  const cb = r.object('deploymentConfiguration')?.object('deploymentCircuitBreaker');
  if (cb?.boolean('enable') === true) {
    throw invalid(
      'deploymentConfiguration.deploymentCircuitBreaker',
      'The deployment circuit breaker can only be used for services using the rolling update ' +
        '(ECS) deployment type.',
    );
  }
  if (r.object('rebalance')?.boolean('enable') === true) {
    throw invalid('rebalance', 'rebalance applies to the ECS deployment controller only.');
  }
}

/**
 * UpdateService of an EXTERNAL service: desired count, grace period, deployment
 * configuration, placement and tag propagation only; the rest belongs to a new task set.
 */
export function checkExternalUpdate(r: RequestReader): void {
  checkEcsOnly(r);
  if (r.has('taskDefinition')) {
    throw invalid(
      'taskDefinition',
      'Unable to update task definition on services with an EXTERNAL deployment controller. ' +
        'Create a task set instead.',
    );
  }
  for (const f of ['loadBalancers', 'networkConfiguration', 'platformVersion'] as const) {
    if (r.has(f)) {
      throw invalid(
        f,
        `Unable to update ${f} on services with an EXTERNAL deployment controller. ` +
          'Create a task set instead.',
      );
    }
  }
  if (r.boolean('forceNewDeployment') === true) {
    throw invalid(
      'forceNewDeployment',
      'forceNewDeployment is not supported on services with an EXTERNAL deployment controller.',
    );
  }
}

/** `propagateTags` and `enableECSManagedTags` (absent: unchanged / ECS's defaults). */
export function readTagPropagation(r: RequestReader): {
  propagateTags: PropagateTags | undefined;
  enableECSManagedTags: boolean | undefined;
} {
  return {
    propagateTags: r.enumOf('propagateTags', ['TASK_DEFINITION', 'SERVICE', 'NONE'] as const),
    enableECSManagedTags: r.boolean('enableECSManagedTags'),
  };
}
