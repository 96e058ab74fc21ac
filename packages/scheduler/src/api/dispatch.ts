/**
 * The table of actions: `X-Amz-Target` -> handler. ECS actions under
 * `AmazonEC2ContainerServiceV20141113.`, berth's agent actions under `BerthAgentV1.`.
 * Must never hold logic beyond the lookup.
 */
import { BERTH_AGENT_TARGET_PREFIX, ECS_TARGET_PREFIX } from '@berth/protocol';
import {
  deleteAccountSetting,
  listAccountSettings,
  putAccountSetting,
  putAccountSettingDefault,
} from './account-settings.js';
import { pollAssignments, submitContainerStateChange, submitTaskStateChange } from './agent.js';
import { deleteAttributes, listAttributes, putAttributes } from './attributes.js';
import { updateCluster, updateClusterSettings } from './cluster-settings.js';
import { reportRequestCounts } from '../autoscaling/report-request-counts.js';
import { reportTaskStats } from '../autoscaling/report-task-stats.js';
import { describeServiceMetrics } from '../autoscaling/describe-service-metrics.js';
import { createCluster, deleteCluster, describeClusters, listClusters } from './clusters.js';
import type { Handler } from './context.js';
import {
  deregisterContainerInstance,
  describeContainerInstances,
  listContainerInstances,
  registerContainerInstance,
  updateContainerInstancesState,
} from './instances.js';
import {
  createService,
  deleteService,
  describeServices,
  listServices,
  updateService,
} from './service-actions.js';
import { listTagsForResource, tagResource, untagResource } from './tags.js';
import {
  deregisterTaskDefinition,
  describeTaskDefinition,
  listTaskDefinitionFamilies,
  listTaskDefinitions,
  registerTaskDefinition,
} from './task-definitions.js';
import { deleteTaskDefinitions } from './task-definitions-delete.js';
import { getTaskProtection, updateTaskProtection } from './task-protection.js';
import {
  createTaskSet,
  deleteTaskSet,
  describeTaskSets,
  updateServicePrimaryTaskSet,
  updateTaskSet,
} from './task-sets.js';
import { describeTasks, listTasks, runTask, startTask, stopTask } from './tasks.js';

/** ECS actions berth implements. */
export const ecsActions: Readonly<Record<string, Handler>> = {
  CreateCluster: createCluster,
  DeleteCluster: deleteCluster,
  DescribeClusters: describeClusters,
  ListClusters: listClusters,
  RegisterContainerInstance: registerContainerInstance,
  DeregisterContainerInstance: deregisterContainerInstance,
  DescribeContainerInstances: describeContainerInstances,
  ListContainerInstances: listContainerInstances,
  UpdateContainerInstancesState: updateContainerInstancesState,
  PutAttributes: putAttributes,
  DeleteAttributes: deleteAttributes,
  ListAttributes: listAttributes,
  RegisterTaskDefinition: registerTaskDefinition,
  DeregisterTaskDefinition: deregisterTaskDefinition,
  DescribeTaskDefinition: describeTaskDefinition,
  ListTaskDefinitions: listTaskDefinitions,
  ListTaskDefinitionFamilies: listTaskDefinitionFamilies,
  RunTask: runTask,
  StartTask: startTask,
  StopTask: stopTask,
  ListTasks: listTasks,
  DescribeTasks: describeTasks,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
  CreateService: createService,
  UpdateService: updateService,
  DeleteService: deleteService,
  DescribeServices: describeServices,
  ListServices: listServices,
  SubmitTaskStateChange: submitTaskStateChange,
  SubmitContainerStateChange: submitContainerStateChange,
  // Issue 18: what a deployment pipeline reaches for next.
  DeleteTaskDefinitions: deleteTaskDefinitions,
  UpdateCluster: updateCluster,
  UpdateClusterSettings: updateClusterSettings,
  PutAccountSetting: putAccountSetting,
  PutAccountSettingDefault: putAccountSettingDefault,
  ListAccountSettings: listAccountSettings,
  DeleteAccountSetting: deleteAccountSetting,
  GetTaskProtection: getTaskProtection,
  UpdateTaskProtection: updateTaskProtection,
  CreateTaskSet: createTaskSet,
  DescribeTaskSets: describeTaskSets,
  UpdateTaskSet: updateTaskSet,
  DeleteTaskSet: deleteTaskSet,
  UpdateServicePrimaryTaskSet: updateServicePrimaryTaskSet,
};

/** berth's own agent actions. */
export const agentActions: Readonly<Record<string, Handler>> = {
  PollAssignments: pollAssignments,
  ReportTaskStats: reportTaskStats,
  DescribeServiceMetrics: describeServiceMetrics,
  ReportRequestCounts: reportRequestCounts,
};

/** The handler and action name for an X-Amz-Target value, or undefined. */
export function lookupAction(target: string): { action: string; handler: Handler } | undefined {
  if (target.startsWith(ECS_TARGET_PREFIX)) {
    const action = target.slice(ECS_TARGET_PREFIX.length);
    const handler = Object.hasOwn(ecsActions, action) ? ecsActions[action] : undefined;
    return handler ? { action, handler } : undefined;
  }
  if (target.startsWith(BERTH_AGENT_TARGET_PREFIX)) {
    const action = target.slice(BERTH_AGENT_TARGET_PREFIX.length);
    const handler = Object.hasOwn(agentActions, action) ? agentActions[action] : undefined;
    return handler ? { action: `${BERTH_AGENT_TARGET_PREFIX}${action}`, handler } : undefined;
  }
  return undefined;
}
