/**
 * The validated RegisterTaskDefinition request, and `Draft`, the mutable view validators build
 * a value in before returning it readonly. The ECS shapes themselves are @berth/protocol's
 * (`Normalized*`: ECS's defaults filled in). Types only; must never hold behaviour.
 */

import type {
  NormalizedContainerDefinition,
  NormalizedVolume,
  OpaqueJson,
  Tag,
  TaskDefinitionPlacementConstraint,
} from '@berth/protocol';

/** `T` with its own fields writable (nested values stay as they are). */
export type Draft<T> = { -readonly [K in keyof T]: T[K] };

/** A validated, normalized RegisterTaskDefinition request. */
export interface TaskDefinitionInput {
  readonly family: string;
  readonly containerDefinitions: readonly NormalizedContainerDefinition[];
  readonly taskRoleArn?: string;
  readonly executionRoleArn?: string;
  readonly networkMode: 'bridge' | 'host' | 'none';
  readonly volumes: readonly NormalizedVolume[];
  readonly placementConstraints: readonly TaskDefinitionPlacementConstraint[];
  readonly requiresCompatibilities: readonly string[];
  /** CPU units as a decimal string ("256"); "0.25 vCPU" is converted. */
  readonly cpu?: string;
  /** MiB as a decimal string ("512"); "1GB" is converted. */
  readonly memory?: string;
  readonly pidMode?: 'host' | 'task';
  readonly ipcMode?: 'host' | 'task' | 'none';
  readonly tags: readonly Tag[];
  readonly runtimePlatform?: OpaqueJson;
  readonly ephemeralStorage?: OpaqueJson;
  readonly proxyConfiguration?: OpaqueJson;
}
