/**
 * Inspects one container through dockerode and reads it as a DockerContainer. A missing
 * container is undefined, not an error; any other failure is a DockerError naming the
 * container. It must never retry: callers decide.
 */

import type Docker from 'dockerode';
import {
  type DockerContainer,
  type DockerInspect,
  containerFromInspect,
} from './container-from-inspect.js';
import { DockerError, dockerStatusOf } from './docker-error.js';

/** The container `idOrName`, or undefined when the engine has none (404). */
export async function inspectContainer(
  docker: Docker,
  idOrName: string,
): Promise<DockerContainer | undefined> {
  try {
    const info = await docker.getContainer(idOrName).inspect();
    return containerFromInspect(info as unknown as DockerInspect);
  } catch (err) {
    if (dockerStatusOf(err) === 404) return undefined;
    throw DockerError.from(`cannot inspect container ${idOrName.slice(0, 12)}`, err);
  }
}
