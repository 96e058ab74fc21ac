/**
 * The registrator's view of a Docker container (@berth/docker's DockerContainer): what it
 * registers from, with a port reachable on the host as it is under host networking. Pure;
 * it must never talk to Docker.
 */

import {
  type DockerContainer,
  type DockerInspect,
  containerFromInspect as dockerContainerFromInspect,
} from '@berth/docker';
import type { ContainerInfo, ContainerPort } from '../types.js';

/** The registrator's ContainerInfo of a Docker container. */
export function containerInfoOf(c: DockerContainer): ContainerInfo {
  const hostNetwork = c.networkMode === 'host';
  const ports: ContainerPort[] = [];
  for (const { port, protocol, bindings } of c.ports) {
    if (protocol === 'sctp') continue;
    // With host networking a port is reachable on the host as is (registrator does the same).
    const reachable =
      hostNetwork && bindings.length === 0 ? [{ hostIp: '', hostPort: port }] : bindings;
    ports.push({ port, protocol, bindings: reachable });
  }
  return {
    id: c.id,
    name: c.name,
    image: c.image,
    env: c.env,
    labels: c.labels,
    ports,
    ip: c.ip,
    state: c.state ?? 'dead',
    exitCode: c.exitCode ?? 0,
    ...(c.health ? { health: c.health } : {}),
  };
}

/** ContainerInfo from a Docker inspect answer. */
export function containerFromInspect(info: DockerInspect): ContainerInfo {
  return containerInfoOf(dockerContainerFromInspect(info));
}
