/**
 * `GET /api/events`: one open page's live feed as Server-Sent Events. It relays the scheduler's
 * events (its own SigV4-signed subscription with the person's key pair, resumed with
 * Last-Event-ID), says when the catalog changed and when the console's actions happened, and
 * reports the state of both feeds so the page can show a lost connection. It ends when the
 * session does. Must never send a key pair or buffer without bound.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SchedulerEvents } from '../adapters/scheduler-events.js';
import type { Session } from '../core/sessions.js';
import { sseFrame } from '../core/sse-parse.js';
import type { EventRow, LiveState } from '../core/view-types.js';
import type { ConsoleEngine } from '../engine.js';
import { SECURITY_HEADERS } from './http-util.js';

const MAX_BUFFERED = 1024 * 1024;

export function serveLive(
  engine: ConsoleEngine,
  session: Session,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write('retry: 1000\n\n');
  const write = (event: string, data: unknown, id?: string): void => {
    if (res.writableLength > MAX_BUFFERED) {
      res.destroy();
      return;
    }
    res.write(sseFrame(event, data, id));
  };
  const lastId = req.headers['last-event-id'];
  const upstream = new SchedulerEvents(
    engine.options.scheduler,
    engine.options.region,
    session.credentials,
    typeof lastId === 'string' && /^\d+$/.test(lastId) ? lastId : undefined,
  );
  let state: LiveState = { scheduler: 'connecting', catalog: engine.catalog.state };
  const sendState = (): void => write('live', state);
  upstream.on('event', (e) => write('scheduler', e, String(e.id)));
  upstream.on('state', (s, error) => {
    state = { ...state, scheduler: s };
    write('live', { ...state, error });
  });
  const onCatalog = (): void =>
    write('catalog', { index: String(engine.catalog.snapshot?.index ?? '') });
  const onCatalogState = (s: 'fresh' | 'stale', error: string | undefined): void => {
    state = { ...state, catalog: s };
    write('live', { ...state, error });
  };
  const onAction = (e: EventRow): void => write('action', e);
  engine.catalog.on('change', onCatalog);
  engine.catalog.on('state', onCatalogState);
  engine.on('action', onAction);
  sendState();
  upstream.start();
  const beat = setInterval(() => {
    if (!engine.sessions.get(session.id, Date.now(), false)) {
      write('session', { expired: true });
      res.end();
      return;
    }
    res.write(': ping\n\n');
  }, 5000);
  beat.unref();
  const end = (): void => {
    clearInterval(beat);
    upstream.close();
    engine.catalog.off('change', onCatalog);
    engine.catalog.off('state', onCatalogState);
    engine.off('action', onAction);
  };
  res.on('close', end);
}
