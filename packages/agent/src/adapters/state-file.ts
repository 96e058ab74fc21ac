/**
 * The agent's durable identity in `--data-dir`: the container instance ARN the scheduler gave
 * it, its instance id, and the images it pulled (for `--image-pull-behavior once` and image
 * cleanup). Written atomically (temp file + rename) so a crash never leaves half a file.
 * Everything else is recovered from Docker labels. It must never store credentials.
 */

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentOptionError } from '../errors.js';

/** What the data dir keeps. */
export interface AgentStateFile {
  readonly cluster: string;
  readonly instanceId: string;
  readonly containerInstanceArn?: string;
  /** Image reference → ms since epoch it was last used by a task; `pulled` when we pulled it. */
  readonly images: Readonly<
    Record<string, { readonly lastUsed: number; readonly pulled: boolean }>
  >;
}

export const STATE_FILE = 'agent-state.json';

/** A new instance id like EC2's (`i-` and 17 hex digits). */
export function newInstanceId(): string {
  return `i-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

/** Reads the state file; undefined when there is none (or it is unreadable). */
export async function readStateFile(dataDir: string): Promise<AgentStateFile | undefined> {
  try {
    const parsed = JSON.parse(
      await readFile(join(dataDir, STATE_FILE), 'utf8'),
    ) as Partial<AgentStateFile>;
    if (typeof parsed.cluster !== 'string' || typeof parsed.instanceId !== 'string')
      return undefined;
    return {
      cluster: parsed.cluster,
      instanceId: parsed.instanceId,
      ...(typeof parsed.containerInstanceArn === 'string'
        ? { containerInstanceArn: parsed.containerInstanceArn }
        : {}),
      images: typeof parsed.images === 'object' && parsed.images !== null ? parsed.images : {},
    };
  } catch {
    return undefined;
  }
}

/** Writes the state file atomically, creating the data dir if needed. */
export async function writeStateFile(dataDir: string, state: AgentStateFile): Promise<void> {
  try {
    await mkdir(dataDir, { recursive: true });
    const tmp = join(dataDir, `.${STATE_FILE}.${process.pid}.${randomBytes(4).toString('hex')}`);
    await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, join(dataDir, STATE_FILE));
  } catch (err) {
    throw new AgentOptionError(
      '--data-dir',
      `cannot write ${join(dataDir, STATE_FILE)}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
