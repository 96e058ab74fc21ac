/**
 * @berth/protocol: the contracts berth's packages share, defined once: agent <-> scheduler
 * messages, container labels and instance attributes, ECS task-definition types and Consul's
 * wire types. Types and constants only; it must never do I/O or depend on another package.
 */
export type * from './ecs-types.js';
export * from './agent-messages.js';
export * from './task-stats.js';
export * from './request-counts.js';
export * from './labels.js';
export type * from './consul-types.js';
