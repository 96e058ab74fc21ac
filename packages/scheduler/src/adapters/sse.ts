/**
 * `GET /v1/events`: the EventHub as Server-Sent Events (`id`, `event: <type>`, `data: <json>`),
 * resuming after `Last-Event-ID` from the hub's ring buffer, with a comment heartbeat every
 * 15 s. Authentication is the caller's (the HTTP server checks SigV4 first). Must never
 * buffer without bound: a client that cannot keep up is disconnected.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BerthEvent, EventHub } from '../events/event-hub.js';

const MAX_BUFFERED = 4 * 1024 * 1024;

function frame(e: BerthEvent): string {
  return `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
}

/** Serves one SSE client until it goes away. */
export function serveEvents(hub: EventHub, req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  res.write(': berth scheduler events\n\n');
  const last = Number(req.headers['last-event-id'] ?? NaN);
  if (Number.isInteger(last)) for (const e of hub.since(last)) res.write(frame(e));
  const unsubscribe = hub.subscribe((e) => {
    if (res.writableLength > MAX_BUFFERED) {
      res.destroy();
      return;
    }
    res.write(frame(e));
  });
  const beat = setInterval(() => res.write(': ping\n\n'), 15_000);
  beat.unref();
  const end = (): void => {
    clearInterval(beat);
    unsubscribe();
  };
  res.on('close', end);
  req.on('close', end);
}
