/**
 * @berth/docker: the one Docker adapter berth's daemons share: following and parsing the
 * engine's container events, inspect to container info, log demultiplexing, and what a failed
 * call means. Each daemon keeps its own narrow interface as a view over it.
 */
export { DockerError, describeDockerError, dockerStatusOf } from './docker-error.js';
export { type DockerEvent, parseDockerEvent } from './parse-docker-event.js';
export {
  DEFAULT_RECONNECT,
  type DockerEventFollow,
  type DockerEventHandlers,
  type FollowDockerEventsOptions,
  followDockerEvents,
  labelFilters,
} from './follow-docker-events.js';
export {
  type DockerContainer,
  type DockerContainerState,
  type DockerHealth,
  type DockerInspect,
  type DockerMount,
  type DockerPort,
  type DockerPortBinding,
  containerFromInspect,
} from './container-from-inspect.js';
export { inspectContainer } from './inspect-container.js';
export { demuxLogs } from './demux-logs.js';
