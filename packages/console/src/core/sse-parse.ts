/**
 * A Server-Sent Events parser (the WHATWG event-stream format): text chunks in, complete events
 * out, with `id`, `event` and multi-line `data`; comments (heartbeats) are skipped. Pure and
 * incremental; must never buffer more than one unfinished event.
 */

export interface SseEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

export class SseParser {
  #buffer = '';
  #id: string | undefined;
  #event = '';
  #data: string[] = [];

  /** Feeds a chunk; returns the events it completed. */
  push(chunk: string): SseEvent[] {
    this.#buffer += chunk;
    const out: SseEvent[] = [];
    for (;;) {
      const nl = this.#buffer.search(/\r\n|\r|\n/);
      if (nl < 0) break;
      const line = this.#buffer.slice(0, nl);
      const width = this.#buffer.startsWith('\r\n', nl) ? 2 : 1;
      this.#buffer = this.#buffer.slice(nl + width);
      if (line === '') {
        if (this.#data.length) {
          out.push({ id: this.#id, event: this.#event || 'message', data: this.#data.join('\n') });
        }
        this.#event = '';
        this.#data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.#data.push(value);
      else if (field === 'event') this.#event = value;
      else if (field === 'id' && !value.includes('\0')) this.#id = value;
    }
    return out;
  }

  /** The last event id seen (for Last-Event-ID on reconnect). */
  get lastId(): string | undefined {
    return this.#id;
  }
}

/** One event as the console writes it to the page. */
export function sseFrame(event: string, data: unknown, id?: string): string {
  const lines = JSON.stringify(data)
    .split('\n')
    .map((l) => `data: ${l}`)
    .join('\n');
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\n${lines}\n\n`;
}
