/**
 * ECS task definitions: RegisterTaskDefinition validation and normalization, task overrides,
 * and the resources a task holds. Pure: no I/O.
 */

export { TaskDefinitionError, type EcsValidationType } from './errors.js';
export type * from './types.js';
export {
  validateTaskDefinition,
  MAX_CONTAINERS,
  MAX_TASK_DEFINITION_BYTES,
} from './validate-task-definition.js';
export { taskResources, validateTaskOverride, type TaskResources } from './task-resources.js';
export { parseTaskCpu, parseTaskMemory } from './task-size.js';
