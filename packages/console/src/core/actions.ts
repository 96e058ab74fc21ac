/**
 * The console's actions: what a person can do (scale, update a service to another revision or
 * force a new deployment, stop a task, drain / activate an instance, run tasks, register a task
 * definition; auto scaling's are in scaling-actions.ts), checked from untrusted JSON, and
 * described in one sentence that the page shows before the person confirms and the event list
 * keeps afterwards. Pure; the server turns an action into one API call. Must never perform an
 * action itself.
 */
import {
  describeScalingAction,
  isScalingAction,
  parseScalingAction,
  SCALING_KINDS,
  type ScalingAction,
} from './scaling-actions.js';

export type Action = EcsAction | ScalingAction;

/** The actions that are one ECS call. */
export type EcsAction =
  | {
      readonly kind: 'scale';
      readonly cluster: string;
      readonly service: string;
      readonly desiredCount: number;
      /** The count the person saw, for the description only. */
      readonly from?: number | undefined;
    }
  | {
      readonly kind: 'update-service';
      readonly cluster: string;
      readonly service: string;
      /** `family:revision`; absent keeps the service's. */
      readonly taskDefinition?: string | undefined;
      readonly forceNewDeployment: boolean;
    }
  | {
      readonly kind: 'stop-task';
      readonly cluster: string;
      readonly task: string;
      readonly reason?: string | undefined;
    }
  | {
      readonly kind: 'instance-state';
      readonly cluster: string;
      readonly instance: string;
      readonly status: 'ACTIVE' | 'DRAINING';
    }
  | {
      readonly kind: 'run-task';
      readonly cluster: string;
      readonly taskDefinition: string;
      readonly count: number;
    }
  | {
      readonly kind: 'register-task-definition';
      readonly definition: Readonly<Record<string, unknown>>;
    };
export type ActionKind = Action['kind'];

/** A refused action input: the message names the field. */
export class ActionInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_:.\-/]{0,511}$/;

function str(o: Record<string, unknown>, key: string, optional = false): string | undefined {
  const v = o[key];
  if (v === undefined || v === null || v === '') {
    if (optional) return undefined;
    throw new ActionInputError(key, `${key} is required`);
  }
  if (typeof v !== 'string' || !NAME.test(v)) {
    throw new ActionInputError(key, `${key} must be a name (letters, digits, _ : . - /)`);
  }
  return v;
}

function int(o: Record<string, unknown>, key: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ActionInputError(key, `${key} must be a whole number from ${min} to ${max}`);
  }
  return v;
}

/** Checks an action sent by the page; throws ActionInputError naming the bad field. */
export function parseAction(input: unknown): Action {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ActionInputError('', 'the action must be a JSON object');
  }
  const o = input as Record<string, unknown>;
  if (typeof o['kind'] === 'string' && SCALING_KINDS.has(o['kind'])) {
    return parseScalingAction(o, (field, message) => new ActionInputError(field, message));
  }
  switch (o['kind']) {
    case 'scale':
      return {
        kind: 'scale',
        cluster: str(o, 'cluster') as string,
        service: str(o, 'service') as string,
        desiredCount: int(o, 'desiredCount', 0, 10_000),
        from: typeof o['from'] === 'number' ? o['from'] : undefined,
      };
    case 'update-service': {
      const taskDefinition = str(o, 'taskDefinition', true);
      const force = o['forceNewDeployment'] === true;
      if (!taskDefinition && !force) {
        throw new ActionInputError('taskDefinition', 'choose a revision or force a new deployment');
      }
      return {
        kind: 'update-service',
        cluster: str(o, 'cluster') as string,
        service: str(o, 'service') as string,
        taskDefinition,
        forceNewDeployment: force,
      };
    }
    case 'stop-task': {
      const reason = o['reason'];
      if (reason !== undefined && (typeof reason !== 'string' || reason.length > 255)) {
        throw new ActionInputError('reason', 'reason must be text of at most 255 characters');
      }
      return {
        kind: 'stop-task',
        cluster: str(o, 'cluster') as string,
        task: str(o, 'task') as string,
        reason: reason || undefined,
      };
    }
    case 'instance-state': {
      const status = o['status'];
      if (status !== 'ACTIVE' && status !== 'DRAINING') {
        throw new ActionInputError('status', 'status must be ACTIVE or DRAINING');
      }
      return {
        kind: 'instance-state',
        cluster: str(o, 'cluster') as string,
        instance: str(o, 'instance') as string,
        status,
      };
    }
    case 'run-task':
      return {
        kind: 'run-task',
        cluster: str(o, 'cluster') as string,
        taskDefinition: str(o, 'taskDefinition') as string,
        count: int(o, 'count', 1, 10),
      };
    case 'register-task-definition': {
      const d = o['definition'];
      if (typeof d !== 'object' || d === null || Array.isArray(d)) {
        throw new ActionInputError('', 'the task definition must be a JSON object');
      }
      return { kind: 'register-task-definition', definition: d as Record<string, unknown> };
    }
    default:
      throw new ActionInputError('kind', `unknown action ${JSON.stringify(o['kind'])}`);
  }
}

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/** One sentence saying what the action will do (shown before confirming, kept in the events). */
export function describeAction(a: Action): string {
  if (isScalingAction(a)) return describeScalingAction(a);
  switch (a.kind) {
    case 'scale': {
      const change =
        a.from === undefined
          ? ''
          : a.desiredCount > a.from
            ? `: the scheduler starts ${plural(a.desiredCount - a.from, 'task')}`
            : a.desiredCount < a.from
              ? `: the scheduler stops ${plural(a.from - a.desiredCount, 'task')}`
              : ': nothing changes';
      return `Set the desired count of service ${a.service} (cluster ${a.cluster})${a.from === undefined ? '' : ` from ${a.from}`} to ${a.desiredCount}${change}.`;
    }
    case 'update-service':
      return a.taskDefinition
        ? `Update service ${a.service} (cluster ${a.cluster}) to ${a.taskDefinition}: a rolling deployment replaces its tasks with tasks of that revision.`
        : `Force a new deployment of service ${a.service} (cluster ${a.cluster}): every task is replaced by a new one of the same revision.`;
    case 'stop-task':
      return `Stop task ${a.task} (cluster ${a.cluster}); if a service owns it, the service starts a replacement.`;
    case 'instance-state':
      return a.status === 'DRAINING'
        ? `Drain container instance ${a.instance} (cluster ${a.cluster}): no new tasks are placed on it and services move their tasks elsewhere.`
        : `Activate container instance ${a.instance} (cluster ${a.cluster}): tasks may be placed on it again.`;
    case 'run-task':
      return `Run ${plural(a.count, 'task')} of ${a.taskDefinition} in cluster ${a.cluster} (not kept alive by a service).`;
    case 'register-task-definition':
      return `Register a new revision of task definition family ${String(a.definition['family'] ?? '?')}.`;
  }
}
