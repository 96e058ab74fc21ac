/**
 * The list-shaped fields of CreateService / UpdateService (placement strategies and
 * constraints, load balancers, tags, berth's rebalance option): shape, ECS's limits, and
 * ECS's wording naming the field. Pure; must never look anything up.
 */
import { invalid, type RequestReader } from './request-reader.js';
import type {
  LoadBalancer,
  PlacementConstraint,
  PlacementStrategy,
  RebalanceOption,
  SchedulingStrategy,
  Tag,
} from './types.js';

const TARGET_GROUP_RE =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]*:\d*:targetgroup\/[^/]+\/[^/]+$/;
const MAX_LOAD_BALANCERS = 5;
const MAX_TAGS = 50;
/** ECS's own limits on strategies and constraints per service. */
const MAX_STRATEGIES = 5;
const MAX_CONSTRAINTS = 10;

/** Task definition port mappings, to check load balancer entries against. */
export type ContainerPorts =
  readonly { containerName: string; containerPort: number }[] | undefined;

/** `placementStrategy`: at most 5, typed; none for DAEMON. Undefined when absent. */
export function readStrategies(
  r: RequestReader,
  strategy: SchedulingStrategy,
): PlacementStrategy[] | undefined {
  const list = r.objects('placementStrategy', MAX_STRATEGIES);
  if (list === undefined) return undefined;
  if (strategy === 'DAEMON' && list.length > 0) {
    throw invalid(
      'placementStrategy',
      'The daemon scheduling strategy does not support placement strategies.',
    );
  }
  return list.map((s) => {
    const type = s.enumOf('type', ['binpack', 'spread', 'random'] as const);
    if (type === undefined) throw invalid(s.field('type'), `${s.field('type')} is required.`);
    const field = s.string('field');
    return field === undefined ? { type } : { type, field };
  });
}

/** `placementConstraints`: at most 10; memberOf needs an expression, distinctInstance none. */
export function readConstraints(r: RequestReader): PlacementConstraint[] | undefined {
  const list = r.objects('placementConstraints', MAX_CONSTRAINTS);
  if (list === undefined) return undefined;
  return list.map((c) => {
    const type = c.enumOf('type', ['distinctInstance', 'memberOf'] as const);
    if (type === undefined) throw invalid(c.field('type'), `${c.field('type')} is required.`);
    const expression = c.string('expression');
    if (type === 'memberOf' && (expression === undefined || expression.trim() === '')) {
      throw invalid(
        c.field('expression'),
        'A memberOf placement constraint requires an expression.',
      );
    }
    if (type === 'distinctInstance' && expression !== undefined) {
      throw invalid(
        c.field('expression'),
        'A distinctInstance placement constraint does not take an expression.',
      );
    }
    return expression === undefined ? { type } : { type, expression };
  });
}

/** `loadBalancers`: target groups only, at most 5, no repeats, ports checked when known. */
export function readLoadBalancers(
  r: RequestReader,
  ports: ContainerPorts,
): LoadBalancer[] | undefined {
  const list = r.objects('loadBalancers', MAX_LOAD_BALANCERS);
  if (list === undefined) return undefined;
  const seen = new Set<string>();
  return list.map((lb) => {
    if (lb.has('loadBalancerName')) {
      throw invalid(
        lb.field('loadBalancerName'),
        'Classic Load Balancers are not supported: give a targetGroupArn.',
      );
    }
    const targetGroupArn = lb.requiredString(
      'targetGroupArn',
      `${lb.field('targetGroupArn')} can not be blank.`,
    );
    if (!TARGET_GROUP_RE.test(targetGroupArn)) {
      throw invalid(lb.field('targetGroupArn'), `Invalid target group ARN: ${targetGroupArn}`);
    }
    const containerName = lb.requiredString(
      'containerName',
      `${lb.field('containerName')} can not be blank.`,
    );
    const containerPort = lb.integer('containerPort', 1, 65535);
    if (containerPort === undefined) {
      throw invalid(lb.field('containerPort'), `${lb.field('containerPort')} is required.`);
    }
    const key = `${targetGroupArn} ${containerName} ${containerPort}`;
    if (seen.has(key)) throw invalid(lb.path, `${lb.path} repeats a load balancer entry.`);
    seen.add(key);
    if (
      ports &&
      !ports.some((p) => p.containerName === containerName && p.containerPort === containerPort)
    ) {
      throw invalid(
        lb.path,
        `The container ${containerName} does not have a container port ${containerPort} defined.`,
      );
    }
    return { targetGroupArn, containerName, containerPort };
  });
}

/** `tags`: at most 50, keys 1-128 characters outside `aws:`, values up to 256, keys unique. */
export function readTags(r: RequestReader): Tag[] {
  const list = r.objects('tags', MAX_TAGS) ?? [];
  const keys = new Set<string>();
  return list.map((t) => {
    const key = t.requiredString('key', `${t.field('key')} can not be blank.`);
    const value = t.string('value') ?? '';
    if (key.length > 128)
      throw invalid(t.field('key'), 'Tag keys can have at most 128 characters.');
    if (value.length > 256)
      throw invalid(t.field('value'), 'Tag values can have at most 256 characters.');
    if (/^aws:/i.test(key)) {
      throw invalid(t.field('key'), 'Tag keys that start with aws: are reserved.');
    }
    if (keys.has(key)) throw invalid(t.field('key'), `Duplicate tag key: ${key}`);
    keys.add(key);
    return { key, value };
  });
}

/**
 * The service tag that carries berth's rebalance option, where ECS's shapes have room for it:
 * `enabled` (maxSkew 1), `maxSkew=N` (1-1000) or `disabled`. The request field `rebalance` (not
 * in ECS's model) is still read, and mirrored into this tag.
 */
export const REBALANCE_TAG = 'berth:rebalance';

/** The rebalance option a `berth:rebalance` tag value stands for. */
export function rebalanceFromTag(value: string, field = 'tags'): RebalanceOption {
  const v = value.trim();
  if (v === '' || v === 'enabled' || v === 'true') return { enable: true, maxSkew: 1 };
  if (v === 'disabled' || v === 'false') return { enable: false, maxSkew: 1 };
  const m = /^maxSkew=(\d{1,4})$/.exec(v);
  const n = m ? Number(m[1]) : NaN;
  if (!(n >= 1 && n <= 1000)) {
    throw invalid(
      field,
      `The ${REBALANCE_TAG} tag takes enabled, disabled or maxSkew=N (1-1000), got '${value}'.`,
    );
  }
  return { enable: true, maxSkew: n };
}

/** The tag value of a rebalance option. */
export function rebalanceTagValue(o: RebalanceOption): string {
  return o.enable ? `maxSkew=${o.maxSkew}` : 'disabled';
}

/** `tags` with the `berth:rebalance` tag set to `o` (replacing one already there). */
export function withRebalanceTag(tags: readonly Tag[], o: RebalanceOption): Tag[] {
  return [
    ...tags.filter((t) => t.key !== REBALANCE_TAG),
    { key: REBALANCE_TAG, value: rebalanceTagValue(o) },
  ];
}

/**
 * The rebalance option of a set of service tags (undefined without the tag), checked against
 * the service's strategy and placement strategies.
 */
export function rebalanceOfTags(
  tags: readonly Tag[],
  strategy: SchedulingStrategy,
  strategies: readonly PlacementStrategy[],
  field = 'tags',
): RebalanceOption | undefined {
  const tag = tags.find((t) => t.key === REBALANCE_TAG);
  if (!tag) return undefined;
  const o = rebalanceFromTag(tag.value, field);
  checkRebalance(o, field, strategy, strategies);
  return o;
}

function checkRebalance(
  o: RebalanceOption,
  field: string,
  strategy: SchedulingStrategy,
  strategies: readonly PlacementStrategy[],
): void {
  if (o.enable && strategy === 'DAEMON') {
    throw invalid(field, 'rebalance applies to the REPLICA scheduling strategy only.');
  }
  if (o.enable) assertRebalanceCompatible(field, strategies);
}

/** berth's `rebalance` option: `{enable, maxSkew?}`, REPLICA only, never with binpack. */
export function readRebalance(
  r: RequestReader,
  strategy: SchedulingStrategy,
  strategies: readonly PlacementStrategy[],
): RebalanceOption | undefined {
  const rb = r.object('rebalance');
  if (!rb) return undefined;
  const enable = rb.requiredBoolean('enable');
  const maxSkew = rb.integer('maxSkew', 1, 1000) ?? 1;
  checkRebalance({ enable, maxSkew }, 'rebalance', strategy, strategies);
  return { enable, maxSkew };
}

/** Refuses a binpack strategy on a rebalancing service. */
export function assertRebalanceCompatible(
  field: string,
  strategies: readonly PlacementStrategy[],
): void {
  if (strategies.some((s) => s.type === 'binpack')) {
    throw invalid(field, 'rebalance cannot be combined with a binpack placement strategy.');
  }
}
