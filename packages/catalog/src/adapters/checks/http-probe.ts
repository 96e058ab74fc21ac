/**
 * One run of an HTTP health check, the way Consul's CheckHTTP does it: its default headers,
 * no keep-alive, redirects followed (at most 10), 2xx passing / 429 warning / else critical,
 * and an Output of `HTTP GET <url>: 200 OK Output: <body>` keeping the last 4 KiB of the body.
 * It must never throw or reject: every failure is a critical outcome with Go-style error text,
 * and it must never outlive its timeout or its abort signal.
 */

import http from 'node:http';
import https from 'node:https';
import type { CheckStatus } from './types.js';

/** What a probe found out. */
export interface ProbeOutcome {
  status: CheckStatus;
  output: string;
}

/** The HTTP part of a CheckSpec, with defaults applied. */
export interface HttpProbeOptions {
  url: string;
  method: string;
  header: Record<string, string[]>;
  body: string;
  tlsSkipVerify: boolean;
  tlsServerName: string;
  timeoutMs: number;
}

/** Consul's OutputMaxSize default (`checks.DefaultBufSize`). */
export const OUTPUT_MAX_BYTES = 4 * 1024;
const MAX_REDIRECTS = 10;
const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);

/** Go's `urlErrorOp`: `Get`, `Post`, ... */
function urlErrorOp(method: string): string {
  return method.slice(0, 1).toUpperCase() + method.slice(1).toLowerCase();
}

/** Node's socket error messages, reworded the way Go's net package says them. */
export function goNetError(err: unknown, addr: string): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'ECONNRESET':
      return `read tcp ${addr}: read: connection reset by peer`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${addr.replace(/:\d+$/, '')}: no such host`;
    case 'EHOSTUNREACH':
      return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${addr}: connect: network is unreachable`;
    default:
      return e.message || String(err);
  }
}

/** Keeps the last `max` bytes written, like the circular buffer Consul reads bodies into. */
class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly max: number) {}

  write(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.chunks.length > 1 && this.size - (this.chunks[0]?.length ?? 0) >= this.max) {
      this.size -= this.chunks.shift()?.length ?? 0;
    }
  }

  toString(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.max)).toString('utf8');
  }
}

function buildHeaders(opts: HttpProbeOptions): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  const present = new Set<string>();
  for (const [name, values] of Object.entries(opts.header)) {
    if (values.length === 0) continue;
    headers[name] = values.length === 1 ? values[0] : values;
    present.add(name.toLowerCase());
  }
  if (!present.has('user-agent')) headers['User-Agent'] = 'Consul Health Check';
  if (!present.has('accept')) headers['Accept'] = 'text/plain, text/*, */*';
  return headers;
}

interface Exchange {
  code: number;
  statusText: string;
  location: string | undefined;
  body: string;
}

/** One request/response; rejects with Go-style text. */
function exchange(
  url: URL,
  method: string,
  body: string,
  opts: HttpProbeOptions,
  signal: AbortSignal,
): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const isHttps = url.protocol === 'https:';
    const port = url.port || (isHttps ? '443' : '80');
    const addr = `${url.hostname}:${port}`;
    const requestOptions: https.RequestOptions = {
      method,
      headers: buildHeaders(opts),
      agent: false,
      signal,
    };
    if (isHttps) {
      requestOptions.rejectUnauthorized = !opts.tlsSkipVerify;
      if (opts.tlsServerName !== '') requestOptions.servername = opts.tlsServerName;
    }
    // Once the status line is in, a failure while reading the body keeps that status, as
    // Consul only logs body read errors.
    let finishBody: (() => void) | undefined;
    const fail = (err: unknown): void => {
      if (finishBody !== undefined) finishBody();
      else if (signal.aborted) {
        reject(
          new Error('context deadline exceeded (Client.Timeout exceeded while awaiting headers)'),
        );
      } else {
        reject(new Error(goNetError(err, addr)));
      }
    };
    const req = (isHttps ? https : http).request(url, requestOptions, (res) => {
      const tail = new TailBuffer(OUTPUT_MAX_BYTES);
      const done = (): void =>
        resolve({
          code: res.statusCode ?? 0,
          statusText: `${res.statusCode ?? 0} ${res.statusMessage ?? ''}`.trimEnd(),
          location: res.headers.location,
          body: tail.toString(),
        });
      finishBody = done;
      res.on('data', (chunk: Buffer) => tail.write(chunk));
      res.on('end', done);
      res.on('error', done);
      res.on('aborted', done);
      res.on('close', done);
    });
    req.on('error', fail);
    req.end(body === '' ? undefined : body);
  });
}

/** Runs one HTTP check; resolves with the outcome, never rejects. */
export async function probeHttp(opts: HttpProbeOptions, outer: AbortSignal): Promise<ProbeOutcome> {
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort();
  outer.addEventListener('abort', onOuterAbort, { once: true });
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs);
  let method = opts.method;
  let body = opts.body;
  let url: URL | undefined;
  try {
    url = new URL(opts.url);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    clearTimeout(timer);
    outer.removeEventListener('abort', onOuterAbort);
    const scheme = url === undefined ? '' : url.protocol.slice(0, -1);
    return {
      status: 'critical',
      output: `${urlErrorOp(method)} ${JSON.stringify(opts.url)}: unsupported protocol scheme ${JSON.stringify(scheme)}`,
    };
  }
  try {
    for (let redirects = 0; ; redirects++) {
      let res: Exchange;
      try {
        res = await exchange(url, method, body, opts, controller.signal);
      } catch (err) {
        const text = (err as Error).message;
        return {
          status: 'critical',
          output: `${urlErrorOp(method)} ${JSON.stringify(url.href)}: ${text}`,
        };
      }
      if (REDIRECT_CODES.has(res.code) && res.location !== undefined) {
        if (redirects + 1 >= MAX_REDIRECTS) {
          return {
            status: 'critical',
            output: `${urlErrorOp(method)} ${JSON.stringify(url.href)}: stopped after ${MAX_REDIRECTS} redirects`,
          };
        }
        url = new URL(res.location, url);
        if (res.code === 303 || ((res.code === 301 || res.code === 302) && method === 'POST')) {
          method = method === 'HEAD' ? 'HEAD' : 'GET';
          body = '';
        }
        continue;
      }
      const status: CheckStatus =
        res.code >= 200 && res.code <= 299 ? 'passing' : res.code === 429 ? 'warning' : 'critical';
      return {
        status,
        output: `HTTP ${opts.method} ${opts.url}: ${res.statusText} Output: ${res.body}`,
      };
    }
  } catch (err) {
    // A malformed Location header, for instance.
    return {
      status: 'critical',
      output: `${urlErrorOp(method)} ${JSON.stringify(url.href)}: ${(err as Error).message}`,
    };
  } finally {
    clearTimeout(timer);
    outer.removeEventListener('abort', onOuterAbort);
  }
}
