/**
 * The scheduler's event stream (`GET /v1/events`, Server-Sent Events) for one person: the GET
 * is signed with SigV4 by their key pair, reconnects with back-off and resumes with
 * Last-Event-ID, and says when it is connected or lost. Emits only; must never log or buffer
 * more than one unfinished event.
 */
import { EventEmitter } from 'node:events';
import { Sha256 } from '@aws-crypto/sha256-js';
import { backoffDelay, sleep } from '@berth/daemon';
import { SignatureV4 } from '@smithy/signature-v4';
import type { KeyPair } from '../core/sessions.js';
import { SseParser } from '../core/sse-parse.js';

/** One scheduler event as the stream carries it. */
export interface SchedulerEvent {
  readonly id: number;
  readonly time: number;
  readonly type: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface SchedulerEventsEvents {
  event: [SchedulerEvent];
  state: ['connected' | 'lost', string | undefined];
}

/** Signed headers for a GET of `url` (SigV4, service `ecs`). */
export async function signedGetHeaders(
  url: URL,
  region: string,
  credentials: KeyPair,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials, region, service: 'ecs', sha256: Sha256 });
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const signed = await signer.sign({
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query,
    headers: { host: url.host },
  });
  return signed.headers as Record<string, string>;
}

/** A running subscription; close() ends it. */
export class SchedulerEvents extends EventEmitter<SchedulerEventsEvents> {
  readonly #abort = new AbortController();
  #lastId: string | undefined;
  connected = false;

  constructor(
    readonly endpoint: string,
    readonly region: string,
    readonly credentials: KeyPair,
    lastEventId?: string,
  ) {
    super();
    this.#lastId = lastEventId;
  }

  start(): this {
    void this.#loop();
    return this;
  }

  async #loop(): Promise<void> {
    const signal = this.#abort.signal;
    let attempt = 0;
    while (!signal.aborted) {
      let error: string | undefined;
      try {
        await this.#once(signal, () => (attempt = 0));
        error = 'the scheduler closed the event stream';
      } catch (e) {
        error = (e as Error).message;
      }
      if (signal.aborted) break;
      if (this.connected || attempt === 0) {
        this.connected = false;
        this.emit('state', 'lost', error);
      }
      await sleep(backoffDelay(++attempt, { baseMs: 250, maxMs: 5000, jitter: 'equal' }), signal);
    }
  }

  async #once(signal: AbortSignal, onOpen: () => void): Promise<void> {
    const url = new URL('/v1/events', this.endpoint);
    const headers = await signedGetHeaders(url, this.region, this.credentials);
    if (this.#lastId !== undefined) headers['last-event-id'] = this.#lastId;
    headers['accept'] = 'text/event-stream';
    const res = await fetch(url, { headers, signal });
    if (res.status !== 200 || !res.body) {
      const text = await res.text().catch(() => '');
      let message = `HTTP ${res.status}`;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        // not JSON
      }
      throw new Error(`the scheduler refused the event stream: ${message}`);
    }
    onOpen();
    this.connected = true;
    this.emit('state', 'connected', undefined);
    const parser = new SseParser();
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      for (const e of parser.push(decoder.decode(chunk, { stream: true }))) {
        if (e.id !== undefined) this.#lastId = e.id;
        try {
          this.emit('event', JSON.parse(e.data) as SchedulerEvent);
        } catch {
          // a frame that is not JSON is skipped
        }
      }
    }
  }

  close(): void {
    this.#abort.abort();
    this.removeAllListeners();
  }
}
