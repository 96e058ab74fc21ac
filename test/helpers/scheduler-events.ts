// The scheduler's `GET /v1/events` (Server-Sent Events, SigV4-signed with the dev's key pair)
// read into memory for end-to-end tests that search what the stream carried.
//
// It must never read without bound: the stream is closed at teardown, after `maxMs`, or once
// `maxBytes` arrived, whichever comes first.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { signSigV4 } from '@berth/scheduler';
import type { RunningDev, Teardown } from './berth-dev.js';

/** An open event stream. */
export interface EventStream {
  /** HTTP status of the stream (0 until it answered). */
  status(): number;
  /** Everything received so far, frames as sent. */
  text(): string;
  /** The `event:` types received so far, in order. */
  types(): string[];
  close(): void;
}

/** Opens the dev scheduler's event stream, replaying its buffer from the first event. */
export async function openSchedulerEvents(
  t: Teardown,
  dev: RunningDev,
  { maxMs = 300_000, maxBytes = 8 * 1024 * 1024 } = {},
): Promise<EventStream> {
  const keyText = await readFile(dev.info.credentialsFile, 'utf8');
  const credentials = {
    accessKeyId: /aws_access_key_id = (\S+)/.exec(keyText)![1]!,
    secretAccessKey: /aws_secret_access_key = (\S+)/.exec(keyText)![1]!,
  };
  const url = new URL('/v1/events', dev.info.endpoint);
  const headers = signSigV4({
    method: 'GET',
    host: url.host,
    path: url.pathname,
    headers: { 'last-event-id': '0' },
    body: '',
    credentials,
    region: dev.info.region,
    service: 'ecs',
  });
  let status = 0;
  let text = '';
  const req = http.get(url, { headers }, (res) => {
    status = res.statusCode ?? 0;
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      text += c;
      if (text.length > maxBytes) req.destroy();
    });
  });
  req.on('error', () => {});
  const timer = setTimeout(() => req.destroy(), maxMs);
  timer.unref();
  const close = (): void => {
    clearTimeout(timer);
    req.destroy();
  };
  t.teardown(close);
  return {
    status: () => status,
    text: () => text,
    types: () => [...text.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]!),
    close,
  };
}
