/**
 * CreateService / UpdateService request validation and normalization: ECS's shapes, limits
 * and defaults (REPLICA 200/100, DAEMON 100/0), worded as ECS words its exceptions and naming
 * the field. Pure: no lookups (the caller resolves clusters, task definitions and name
 * clashes) and no clock; must never half-accept a request.
 */
import { ServiceRequestError } from './errors.js';
import { invalid, RequestReader } from './request-reader.js';
import {
  checkExternalCreate,
  checkExternalUpdate,
  readDeploymentController,
  readTagPropagation,
} from './service-request-controller.js';
import {
  assertRebalanceCompatible,
  readConstraints,
  readLoadBalancers,
  readRebalance,
  readStrategies,
  readTags,
  rebalanceOfTags,
  withRebalanceTag,
} from './service-request-fields.js';
import type {
  CircuitBreaker,
  DeploymentConfiguration,
  DeploymentControllerType,
  LoadBalancer,
  PlacementConstraint,
  PlacementStrategy,
  PropagateTags,
  RebalanceOption,
  SchedulingStrategy,
  Service,
  Tag,
} from './types.js';

/** What validation may consult besides the body. */
export interface ServiceRequestContext {
  /** UpdateService: the service being updated. */
  current?: Service | undefined;
  /** Checks strategy fields and constraint expressions (the placement package's validatePlacement). */
  validatePlacement?:
    ((strategies: PlacementStrategy[], constraints: PlacementConstraint[]) => void) | undefined;
  /** The port mappings of the task definition the service will run, to check loadBalancers. */
  containerPorts?: readonly { containerName: string; containerPort: number }[] | undefined;
}

/** A CreateService request, normalized: defaults applied, nothing left optional but ECS's. */
export interface CreateServiceInput {
  cluster: string | undefined;
  serviceName: string;
  taskDefinition: string;
  /** DAEMON: 0 here; the caller keeps it at the number of eligible instances. */
  desiredCount: number;
  schedulingStrategy: SchedulingStrategy;
  launchType: 'EC2';
  deploymentConfiguration: DeploymentConfiguration;
  placementStrategy: PlacementStrategy[];
  placementConstraints: PlacementConstraint[];
  loadBalancers: LoadBalancer[];
  healthCheckGracePeriodSeconds: number | undefined;
  tags: Tag[];
  clientToken: string | undefined;
  rebalance: RebalanceOption;
  /** EXTERNAL: no task definition (''), task sets bring it. */
  deploymentController: DeploymentControllerType;
  propagateTags: PropagateTags | undefined;
  enableECSManagedTags: boolean | undefined;
}

/** An UpdateService request, normalized against the current service; absent = unchanged. */
export interface UpdateServiceInput {
  cluster: string | undefined;
  /** The service name or ARN as given. */
  service: string;
  desiredCount?: number | undefined;
  taskDefinition?: string | undefined;
  deploymentConfiguration?: DeploymentConfiguration | undefined;
  placementStrategy?: PlacementStrategy[] | undefined;
  placementConstraints?: PlacementConstraint[] | undefined;
  loadBalancers?: LoadBalancer[] | undefined;
  healthCheckGracePeriodSeconds?: number | undefined;
  rebalance?: RebalanceOption | undefined;
  forceNewDeployment: boolean;
  propagateTags?: PropagateTags | undefined;
  enableECSManagedTags?: boolean | undefined;
}

const SERVICE_NAME_RE = /^[a-zA-Z0-9_-]{1,255}$/;
const MAX_INT = 2147483647;

/**
 * Validates and normalizes a CreateService or UpdateService body. Throws `ServiceRequestError`
 * (`ecsType` ClientException / InvalidParameterException, `field`) on the first fault.
 */
export function validateServiceRequest(
  kind: 'create',
  input: unknown,
  ctx?: ServiceRequestContext,
): CreateServiceInput;
export function validateServiceRequest(
  kind: 'update',
  input: unknown,
  ctx: ServiceRequestContext & { current: Service },
): UpdateServiceInput;
export function validateServiceRequest(
  kind: 'create' | 'update',
  input: unknown,
  ctx: ServiceRequestContext = {},
): CreateServiceInput | UpdateServiceInput {
  const r = RequestReader.root(input);
  rejectUnsupported(r);
  if (kind === 'create') return validateCreate(r, ctx);
  if (!ctx.current) {
    throw new ServiceRequestError('ServiceNotFoundException', 'service', 'Service not found.');
  }
  return validateUpdate(r, ctx, ctx.current);
}

function validateCreate(r: RequestReader, ctx: ServiceRequestContext): CreateServiceInput {
  const cluster = r.string('cluster');
  const serviceName = r.requiredString('serviceName', 'serviceName can not be blank.');
  if (!SERVICE_NAME_RE.test(serviceName)) {
    throw invalid(
      'serviceName',
      'Invalid serviceName. Up to 255 letters (uppercase and lowercase), numbers, underscores, ' +
        `and hyphens are allowed. Name: ${serviceName}`,
    );
  }
  const strategy = r.enumOf('schedulingStrategy', ['REPLICA', 'DAEMON'] as const) ?? 'REPLICA';
  const controller = readDeploymentController(r);
  if (controller === 'EXTERNAL') checkExternalCreate(r, strategy);
  const taskDefinition =
    controller === 'EXTERNAL'
      ? ''
      : r.requiredString('taskDefinition', 'taskDefinition can not be blank.');
  r.enumOf('launchType', ['EC2'] as const);
  const desired = r.integer('desiredCount', 0, MAX_INT);
  if (strategy === 'DAEMON' && desired !== undefined) {
    throw invalid(
      'desiredCount',
      'The daemon scheduling strategy does not support a desiredCount for services.',
    );
  }
  if (strategy === 'REPLICA' && desired === undefined && controller === 'ECS') {
    throw invalid('desiredCount', 'desiredCount is required for the REPLICA scheduling strategy.');
  }
  const placementStrategy = readStrategies(r, strategy) ?? [];
  const placementConstraints = readConstraints(r) ?? [];
  ctx.validatePlacement?.(placementStrategy, placementConstraints);
  const loadBalancers = readLoadBalancers(r, ctx.containerPorts) ?? [];
  // berth's rebalance option lives in the `berth:rebalance` tag (ECS's shapes have no member
  // for it); the `rebalance` request field is mirrored into that tag.
  const requested = readRebalance(r, strategy, placementStrategy);
  let tags = readTags(r);
  const rebalance = requested ??
    rebalanceOfTags(tags, strategy, placementStrategy) ?? { enable: false, maxSkew: 1 };
  if (requested) tags = withRebalanceTag(tags, requested);
  if (tags.length > 50) throw invalid('tags', 'tags can have at most 50 entries. Count: 51.');
  const clientToken = r.string('clientToken');
  if (clientToken !== undefined && !/^[\x21-\x7e]{1,36}$/.test(clientToken)) {
    throw invalid(
      'clientToken',
      'clientToken: up to 36 ASCII characters in the range of 33-126 (inclusive) are allowed.',
    );
  }
  return {
    cluster,
    serviceName,
    taskDefinition,
    desiredCount: desired ?? 0,
    schedulingStrategy: strategy,
    launchType: 'EC2',
    deploymentConfiguration: readDeploymentConfiguration(r, strategy, undefined),
    placementStrategy,
    placementConstraints,
    loadBalancers,
    healthCheckGracePeriodSeconds: r.integer('healthCheckGracePeriodSeconds', 0, MAX_INT),
    tags,
    clientToken,
    rebalance,
    deploymentController: controller,
    ...readTagPropagation(r),
  };
}

function validateUpdate(
  r: RequestReader,
  ctx: ServiceRequestContext,
  current: Service,
): UpdateServiceInput {
  const service = r.requiredString('service', 'service can not be blank.');
  if (current.deploymentController === 'EXTERNAL') checkExternalUpdate(r);
  const strategy = current.schedulingStrategy;
  const desired = r.integer('desiredCount', 0, MAX_INT);
  if (strategy === 'DAEMON' && desired !== undefined) {
    throw invalid(
      'desiredCount',
      'The daemon scheduling strategy does not support a desiredCount for services.',
    );
  }
  const taskDefinition = r.string('taskDefinition');
  if (taskDefinition !== undefined && taskDefinition.trim() === '') {
    throw invalid('taskDefinition', 'taskDefinition can not be blank.');
  }
  const placementStrategy = readStrategies(r, strategy);
  const placementConstraints = readConstraints(r);
  if (placementStrategy !== undefined || placementConstraints !== undefined) {
    ctx.validatePlacement?.(
      placementStrategy ?? current.placementStrategy,
      placementConstraints ?? current.placementConstraints,
    );
  }
  const effectiveStrategies = placementStrategy ?? current.placementStrategy;
  const rebalance = readRebalance(r, strategy, effectiveStrategies);
  if (rebalance === undefined && current.rebalance.enable && placementStrategy !== undefined) {
    assertRebalanceCompatible('placementStrategy', effectiveStrategies);
  }
  return {
    cluster: r.string('cluster'),
    service,
    desiredCount: desired,
    taskDefinition,
    deploymentConfiguration: r.has('deploymentConfiguration')
      ? readDeploymentConfiguration(r, strategy, current.deploymentConfiguration)
      : undefined,
    placementStrategy,
    placementConstraints,
    loadBalancers: readLoadBalancers(r, ctx.containerPorts),
    healthCheckGracePeriodSeconds: r.integer('healthCheckGracePeriodSeconds', 0, MAX_INT),
    rebalance,
    forceNewDeployment: r.boolean('forceNewDeployment') ?? false,
    ...readTagPropagation(r),
  };
}

/** Fields of ECS that berth does not implement: refused rather than silently ignored. */
function rejectUnsupported(r: RequestReader): void {
  const lt = r.string('launchType');
  if (lt !== undefined && lt !== 'EC2') {
    throw invalid(
      'launchType',
      `launchType ${lt} is not supported: berth runs the EC2 launch type only.`,
    );
  }
  for (const f of ['capacityProviderStrategy', 'serviceRegistries'] as const) {
    const v = r.raw(f);
    if (Array.isArray(v) && v.length > 0) throw invalid(f, `${f} is not supported by berth.`);
  }
  if (r.has('networkConfiguration')) {
    throw invalid(
      'networkConfiguration',
      'networkConfiguration (awsvpc) is not supported by berth.',
    );
  }
  r.boolean('enableExecuteCommand');
}

function readDeploymentConfiguration(
  r: RequestReader,
  strategy: SchedulingStrategy,
  current: DeploymentConfiguration | undefined,
): DeploymentConfiguration {
  const defaults: DeploymentConfiguration = current ?? {
    maximumPercent: strategy === 'DAEMON' ? 100 : 200,
    minimumHealthyPercent: strategy === 'DAEMON' ? 0 : 100,
    deploymentCircuitBreaker: { enable: false, rollback: false },
  };
  const dc = r.object('deploymentConfiguration');
  if (!dc) return defaults;
  const maximumPercent = dc.integer('maximumPercent', 100, MAX_INT) ?? defaults.maximumPercent;
  const minimumHealthyPercent =
    dc.integer('minimumHealthyPercent', 0, 100) ?? defaults.minimumHealthyPercent;
  const cbr = dc.object('deploymentCircuitBreaker');
  const deploymentCircuitBreaker: CircuitBreaker = cbr
    ? { enable: cbr.requiredBoolean('enable'), rollback: cbr.requiredBoolean('rollback') }
    : defaults.deploymentCircuitBreaker;
  const alarms = dc.object('alarms');
  if (alarms && alarms.boolean('enable') === true) {
    throw invalid(
      'deploymentConfiguration.alarms',
      'CloudWatch alarm rollbacks are not supported by berth.',
    );
  }
  return { maximumPercent, minimumHealthyPercent, deploymentCircuitBreaker };
}
