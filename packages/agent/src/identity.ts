/**
 * The agent's durable identity and image ledger, kept in `--data-dir` (state-file.ts): its
 * instance id, the container instance ARN the scheduler gave it, and the images it used and
 * pulled (for `--image-pull-behavior once` and image cleanup). It must never reuse an identity
 * saved for another cluster or another `--instance-id`.
 */

import {
  type AgentStateFile,
  newInstanceId,
  readStateFile,
  writeStateFile,
} from './adapters/state-file.js';
import type { ImageLedger } from './housekeeping.js';

/** Where the identity lives and who is told when saving fails. */
export interface IdentityHost {
  readonly dataDir: string;
  readonly cluster: string;
  /** `--instance-id`, when given. */
  readonly instanceId?: string | undefined;
  readonly instanceArn: () => string;
  readonly warn: (message: string, error: unknown) => void;
}

/** The agent's identity and image ledger, saved in its data dir. */
export class AgentIdentity {
  readonly #h: IdentityHost;
  instanceId = '';
  readonly images: ImageLedger = new Map();
  #saveTimer: NodeJS.Timeout | undefined;

  constructor(host: IdentityHost) {
    this.#h = host;
  }

  /** Reads the saved identity; returns the saved container instance ARN ('' when none). */
  async load(): Promise<string> {
    const h = this.#h;
    const saved = await readStateFile(h.dataDir);
    const same =
      saved && saved.cluster === h.cluster && (!h.instanceId || h.instanceId === saved.instanceId);
    this.instanceId = h.instanceId ?? (same ? saved.instanceId : undefined) ?? newInstanceId();
    if (!same) return '';
    for (const [ref, v] of Object.entries(saved.images)) this.images.set(ref, { ...v });
    return saved.containerInstanceArn ?? '';
  }

  /** Whether this agent pulled `image` before. */
  pulledBefore(image: string): boolean {
    return this.images.get(image)?.pulled === true;
  }

  /** Records that a task used (and maybe pulled) `image`. */
  imageUsed(image: string, pulled: boolean): void {
    const prev = this.images.get(image);
    this.images.set(image, { lastUsed: Date.now(), pulled: pulled || prev?.pulled === true });
    this.saveSoon();
  }

  #stateFile(): AgentStateFile {
    const arn = this.#h.instanceArn();
    return {
      cluster: this.#h.cluster,
      instanceId: this.instanceId,
      ...(arn ? { containerInstanceArn: arn } : {}),
      images: Object.fromEntries(this.images),
    };
  }

  async save(): Promise<void> {
    await writeStateFile(this.#h.dataDir, this.#stateFile());
  }

  /** Saves within a second (many image uses make one write). */
  saveSoon(): void {
    if (this.#saveTimer) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = undefined;
      this.save().catch((err: unknown) => this.#h.warn('cannot save agent state', err));
    }, 1000);
    this.#saveTimer.unref();
  }

  /** Saves now (agent shutdown), never throwing. */
  async close(): Promise<void> {
    if (this.#saveTimer) clearTimeout(this.#saveTimer);
    if (this.instanceId) await this.save().catch(() => undefined);
  }
}
