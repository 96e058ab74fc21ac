/**
 * One client connection of the proxy: reads request heads, picks a target, forwards the
 * rewritten head and streams bodies both ways over pooled upstream sockets, retrying and
 * ejecting as the route's passive health says. Requests on a connection run one at a time
 * (pipelined bytes wait). It must never buffer a whole body, never retry a request whose
 * body was sent, and never throw out of a socket callback.
 */
import type net from 'node:net';
import { parseRequestHead, isIdempotent, type RequestHead } from './request-head.js';
import { parseResponseHead, type ResponseHead } from './response-head.js';
import { ChunkedScanner } from './chunked.js';
import { forwardingHeaders, normalizeAddress, type ConnectionInfo } from './forwarded.js';
import { parseProxyHeader } from './proxy-protocol.js';
import { pickTarget } from './balancer.js';
import { localResponse, redirectLocation } from './local-response.js';
import { RequestError, RouterError } from './errors.js';
import type { ProxyContext } from './proxy-context.js';
import type { Route, Target } from './route-table.js';
import type { UpstreamConn, UpstreamOwner } from './upstream-pool.js';

const S_PROXY = 0;
const S_HEAD = 1;
const S_BODY = 2;
const S_WAIT = 3;
const S_TUNNEL = 4;
const S_CLOSED = 5;

const CRLF2 = Buffer.from('\r\n\r\n');
const PENDING_LIMIT = 64 * 1024;
/**
 * Retries on other targets for one request when nothing usable came back: a connect failure
 * (any request), or for idempotent requests without a body a connection closed before the
 * response or a 502/503/504. Never back to a target that already failed the request. Three,
 * not one: a deployment stops several old instances at once, so one retry can land on another
 * dying one (nginx's proxy_next_upstream tries every upstream).
 */
const MAX_RETRIES = 3;
const SMALL = 16 * 1024;

/** Writes a latin1 head plus `body[start..end)` in one syscall where cheap. */
function writeHeadAndBody(
  sock: net.Socket,
  head: string,
  body: Buffer | undefined,
  start: number,
  end: number,
): boolean {
  const bodyLen = body === undefined ? 0 : end - start;
  if (bodyLen === 0) return sock.write(head, 'latin1');
  const headLen = head.length;
  if (headLen + bodyLen <= SMALL) {
    const out = Buffer.allocUnsafe(headLen + bodyLen);
    out.write(head, 0, 'latin1');
    (body as Buffer).copy(out, headLen, start, end);
    return sock.write(out);
  }
  sock.cork();
  sock.write(head, 'latin1');
  const ok = sock.write((body as Buffer).subarray(start, end));
  sock.uncork();
  return ok;
}

/** State of one client connection. */
export class ClientConn implements UpstreamOwner {
  #state: number;
  #buf: Buffer | undefined;
  #info: { client: string; trusted: boolean; localPort: number };
  /** ms when the current head started arriving (0 = none). */
  headSince = 0;
  /** ms of the last finished exchange (for the idle timeout). */
  idleSince: number;

  // the current exchange
  #head: RequestHead | undefined;
  #route: Route | undefined;
  #target: Target | undefined;
  #up: UpstreamConn | undefined;
  #fwd = '';
  #reqLeft = 0;
  #reqChunk: ChunkedScanner | undefined;
  #reqDone = true;
  #bodySent = false;
  #pending: Buffer[] | undefined;
  #pendingBytes = 0;
  /** Retries on another target so far, and the targets that failed this request. */
  #retries = 0;
  #failed: Target[] = [];
  #staleRetries = 0;
  #retryable = false;
  #keepAlive = true;
  #startedAt = 0;
  /** ms when the request head went upstream (0 = not yet). */
  sentAt = 0;
  #timedOut = false;
  #resBuf: Buffer | undefined;
  #res: ResponseHead | undefined;
  #resLeft = 0;
  #resChunk: ChunkedScanner | undefined;
  #resUntilClose = false;
  #clientWritten = false;
  #looping = false;
  /** The client half-closed: answer the current request, then close. */
  #clientEnded = false;

  constructor(
    readonly socket: net.Socket,
    readonly ctx: ProxyContext,
    now: number,
  ) {
    const peer = normalizeAddress(socket.remoteAddress);
    this.#info = { client: peer, trusted: ctx.trusted.has(peer), localPort: socket.localPort ?? 0 };
    this.#state = ctx.proxyProtocol ? S_PROXY : S_HEAD;
    this.idleSince = now;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => this.#up?.socket.resume());
    socket.on('error', () => {});
    socket.on('end', () => {
      this.#clientEnded = true;
      this.#keepAlive = false;
      if (this.#state === S_TUNNEL) this.#up?.socket.end();
      else if (this.idle || this.#state === S_PROXY) this.socket.end();
    });
    socket.on('close', () => this.#onClose());
  }

  /** Connection facts for header building. */
  get info(): ConnectionInfo {
    return this.#info;
  }

  /** True when between requests (safe to close while draining). */
  get idle(): boolean {
    return this.#state === S_HEAD && this.headSince === 0 && this.#head === undefined;
  }

  /** Enforces timeouts; called by the server's sweep. */
  tick(now: number): void {
    const t = this.ctx.timeouts;
    if (this.#state === S_PROXY || (this.#state === S_HEAD && this.headSince !== 0)) {
      const since = this.#state === S_PROXY ? this.idleSince : this.headSince;
      if (now - since > t.header) this.#reject(408, 'request head timeout');
    } else if (this.#state === S_HEAD) {
      if (now - this.idleSince > t.idle) this.socket.destroy();
    } else if (this.#state === S_CLOSED) {
      if (now - this.idleSince > t.idle) this.socket.destroy();
    }
    const up = this.#up;
    if (up !== undefined && this.#res === undefined && this.#state !== S_TUNNEL) {
      if (!up.connected && now - up.since > t.connect) {
        up.destroy(new RouterError('BERTH_ROUTER_CONNECT_TIMEOUT', 'upstream connect timeout'));
      } else if (this.sentAt !== 0 && now - this.sentAt > t.response) {
        this.#timedOut = true;
        up.destroy(new RouterError('BERTH_ROUTER_RESPONSE_TIMEOUT', 'upstream response timeout'));
      }
    }
  }

  /** Closes the connection at the next request boundary (drain) or now when idle. */
  closeIdle(): void {
    if (this.idle) this.socket.destroy();
  }

  #onData(chunk: Buffer): void {
    try {
      switch (this.#state) {
        case S_TUNNEL:
          if (this.#up !== undefined && !this.#up.socket.write(chunk)) this.socket.pause();
          return;
        case S_BODY:
          this.#body(chunk, 0);
          return;
        case S_CLOSED:
          return;
        default:
          this.#buf = this.#buf === undefined ? chunk : Buffer.concat([this.#buf, chunk]);
          if (this.#state === S_PROXY) this.#proxyHeader();
          else if (this.#state === S_HEAD) this.#heads();
          else if (this.#buf.length > this.ctx.maxHeaderSize * 2) this.socket.pause();
      }
    } catch (err) {
      this.#internalError(err);
    }
  }

  #proxyHeader(): void {
    const buf = this.#buf as Buffer;
    let h;
    try {
      h = parseProxyHeader(buf);
    } catch (err) {
      this.ctx.events.clientError('BERTH_ROUTER_BAD_PROXY_PROTOCOL', (err as Error).message);
      this.#state = S_CLOSED;
      this.socket.destroy();
      return;
    }
    if (h === undefined) return;
    if (h.source !== undefined) this.#info = { ...this.#info, client: normalizeAddress(h.source) };
    this.#buf = h.length === buf.length ? undefined : buf.subarray(h.length);
    this.#state = S_HEAD;
    if (this.#buf !== undefined) this.#heads();
  }

  /** Parses as many request heads as the buffer holds (one exchange at a time). */
  #heads(): void {
    // a loop, not recursion: locally answered pipelined requests finish synchronously
    if (this.#looping) return;
    this.#looping = true;
    try {
      while (this.#state === S_HEAD && this.#buf !== undefined && this.#nextHead());
    } finally {
      this.#looping = false;
    }
  }

  /** Parses one head; false when more bytes are needed. */
  #nextHead(): boolean {
    let buf = this.#buf;
    if (buf === undefined) return false;
    // RFC 9112 §2.2: ignore empty lines before a request line
    let skip = 0;
    while (skip + 1 < buf.length && buf[skip] === 13 && buf[skip + 1] === 10) skip += 2;
    if (skip > 0) {
      buf = buf.subarray(skip);
      this.#buf = buf.length === 0 ? undefined : buf;
      if (buf.length === 0) return false;
    }
    if (this.headSince === 0) this.headSince = Date.now();
    const end = buf.indexOf(CRLF2);
    if (end < 0) {
      if (buf.length > this.ctx.maxHeaderSize) this.#reject(431, 'request head too large');
      return false;
    }
    if (end > this.ctx.maxHeaderSize) {
      this.#reject(431, 'request head too large');
      return false;
    }
    let head: RequestHead;
    try {
      head = parseRequestHead(buf.toString('latin1', 0, end));
    } catch (err) {
      if (err instanceof RequestError) {
        this.#reject(err.status, err.message);
        return false;
      }
      throw err;
    }
    this.headSince = 0;
    this.#start(head, buf, end + 4);
    return true;
  }

  #start(head: RequestHead, buf: Buffer, bodyStart: number): void {
    this.#head = head;
    this.#startedAt = performance.now();
    this.#keepAlive = head.keepAlive && !this.ctx.draining && !this.#clientEnded;
    this.#reqDone = !head.chunked && head.contentLength <= 0;
    this.#reqLeft = head.contentLength > 0 ? head.contentLength : 0;
    this.#reqChunk = head.chunked ? new ChunkedScanner() : undefined;
    this.#bodySent = false;
    this.#pending = undefined;
    this.#pendingBytes = 0;
    this.#retries = 0;
    this.#failed = [];
    this.#staleRetries = 0;
    this.#retryable = this.#reqDone && head.upgrade === undefined && isIdempotent(head.method);
    this.#res = undefined;
    this.#resBuf = undefined;
    this.#clientWritten = false;
    this.#timedOut = false;
    this.sentAt = 0;
    this.#buf = bodyStart === buf.length ? undefined : buf.subarray(bodyStart);
    this.#state = this.#reqDone ? S_WAIT : S_BODY;

    const table = this.ctx.table;
    const host = head.host.toLowerCase();
    const route = table?.lookup(host, head.path);
    this.#route = route;
    if (route === undefined) {
      this.#local(this.ctx.noRouteStatus, 'no route');
      return;
    }
    this.#fwd = forwardingHeaders(head, this.#info);
    const target = pickTarget(route, this.ctx.strategy, Date.now());
    if (target === undefined) {
      this.#local(503, 'no target');
      return;
    }
    if (target.redirect !== 0) {
      const loc = redirectLocation(target.url, this.#upstreamPath(target), head.query);
      this.#local(target.redirect, '', `Location: ${loc}\r\n`);
      return;
    }
    this.#dispatch(target);
    // body bytes that came with the head
    if (this.#state === S_BODY && this.#buf !== undefined) {
      const rest = this.#buf;
      this.#buf = undefined;
      this.#body(rest, 0);
    }
  }

  #upstreamPath(t: Target): string {
    let path = this.#head?.path ?? '/';
    if (t.strip !== '' && path.startsWith(t.strip)) {
      path = path.slice(t.strip.length);
      if (path.charCodeAt(0) !== 47) path = '/' + path;
    }
    return t.prepend === '' ? path : t.prepend + path;
  }

  #dispatch(target: Target): void {
    this.#target = target;
    target.state.outstanding++;
    const up = this.ctx.pools.for(target).acquire(this, Date.now());
    this.#up = up;
    if (up.connected) this.#send(up);
  }

  #send(up: UpstreamConn): void {
    const head = this.#head as RequestHead;
    const t = this.#target as Target;
    const host = t.hostHeader ?? head.host;
    let s = `${head.method} ${this.#upstreamPath(t)}${head.query} HTTP/1.${head.minor}\r\n`;
    if (host !== '') s += `Host: ${host}\r\n`;
    s += head.rest + this.#fwd;
    if (head.upgrade !== undefined) s += `Connection: Upgrade\r\nUpgrade: ${head.upgrade}\r\n`;
    if (head.chunked) s += 'Transfer-Encoding: chunked\r\n';
    else if (head.contentLength >= 0) s += `Content-Length: ${head.contentLength}\r\n`;
    s += '\r\n';
    this.sentAt = Date.now();
    const pending = this.#pending;
    let ok: boolean;
    if (pending === undefined) ok = up.socket.write(s, 'latin1');
    else {
      this.#pending = undefined;
      this.#pendingBytes = 0;
      this.#bodySent = true;
      up.socket.cork();
      up.socket.write(s, 'latin1');
      for (const b of pending) up.socket.write(b);
      up.socket.uncork();
      ok = !up.socket.writableNeedDrain;
      this.socket.resume();
    }
    if (!ok) this.socket.pause();
  }

  /** Request body bytes from `chunk[start..]`. */
  #body(chunk: Buffer, start: number): void {
    let end: number;
    if (this.#reqChunk !== undefined) {
      try {
        end = this.#reqChunk.scan(chunk, start);
      } catch (err) {
        this.#abort(err instanceof RequestError ? err.message : 'bad chunked body');
        return;
      }
      if (end < 0) end = chunk.length;
      else this.#reqDone = true;
    } else {
      end = Math.min(chunk.length, start + this.#reqLeft);
      this.#reqLeft -= end - start;
      if (this.#reqLeft === 0) this.#reqDone = true;
    }
    if (end > start) {
      const part = start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end);
      const up = this.#up;
      if (up !== undefined && up.connected && this.sentAt !== 0) {
        this.#bodySent = true;
        if (!up.socket.write(part)) this.socket.pause();
      } else if (this.#res === undefined) {
        (this.#pending ??= []).push(part);
        this.#pendingBytes += part.length;
        if (this.#pendingBytes > PENDING_LIMIT) this.socket.pause();
      }
    }
    if (this.#reqDone) {
      if (this.#state === S_BODY) this.#state = S_WAIT;
      if (end < chunk.length) {
        const rest = chunk.subarray(end);
        this.#buf = this.#buf === undefined ? rest : Buffer.concat([this.#buf, rest]);
      }
      if (this.#res !== undefined && this.#resDone()) this.#finish();
    }
  }

  onUpstreamConnect(up: UpstreamConn): void {
    if (up === this.#up) this.#send(up);
  }

  onUpstreamDrain(up: UpstreamConn): void {
    if (up === this.#up) this.socket.resume();
  }

  onUpstreamData(up: UpstreamConn, chunk: Buffer): void {
    if (up !== this.#up) {
      up.destroy();
      return;
    }
    try {
      if (this.#state === S_TUNNEL) {
        if (!this.socket.write(chunk)) up.socket.pause();
        return;
      }
      if (this.#res === undefined) this.#responseHead(up, chunk);
      else this.#responseBody(up, chunk, 0);
    } catch (err) {
      this.#internalError(err);
    }
  }

  #responseHead(up: UpstreamConn, chunk: Buffer): void {
    let buf = this.#resBuf === undefined ? chunk : Buffer.concat([this.#resBuf, chunk]);
    for (;;) {
      const end = buf.indexOf(CRLF2);
      if (end < 0 || end > this.ctx.maxHeaderSize) {
        if (end > 0 || buf.length > this.ctx.maxHeaderSize)
          this.#badGateway(up, 'response head too large');
        else this.#resBuf = buf;
        return;
      }
      const res = parseResponseHead(buf.toString('latin1', 0, end));
      if (res === undefined) {
        this.#badGateway(up, 'malformed response head');
        return;
      }
      const head = this.#head as RequestHead;
      if (res.status >= 100 && res.status < 200 && res.status !== 101) {
        // interim response (100 Continue, 103 Early Hints): pass on, keep waiting
        this.#clientWritten = true;
        this.socket.write(buf.subarray(0, end + 4));
        buf = buf.subarray(end + 4);
        if (buf.length === 0) {
          this.#resBuf = undefined;
          return;
        }
        continue;
      }
      this.#resBuf = undefined;
      const target = this.#target as Target;
      if ((res.status === 502 || res.status === 503 || res.status === 504) && this.#canRetry()) {
        this.#failTarget(target, `status ${res.status}`);
        this.#retry(up, `status ${res.status}`);
        return;
      }
      if (res.status === 101) {
        if (head.upgrade === undefined) {
          this.#badGateway(up, 'unexpected 101');
          return;
        }
        this.#tunnel(up, res, buf, end + 4);
        return;
      }
      this.#res = res;
      this.ctx.states.succeed(target.state);
      const noBody = head.method === 'HEAD' || res.status === 204 || res.status === 304;
      this.#resChunk = undefined;
      this.#resUntilClose = false;
      this.#resLeft = 0;
      if (!noBody) {
        if (res.chunked) this.#resChunk = new ChunkedScanner();
        else if (res.contentLength >= 0) this.#resLeft = res.contentLength;
        else this.#resUntilClose = true;
      }
      if (this.#resUntilClose || !this.#reqDone) this.#keepAlive = false;
      let s = res.statusLine + '\r\n' + res.rest;
      if (!this.#keepAlive || this.ctx.draining) s += 'Connection: close\r\n';
      else if (head.minor === 0) s += 'Connection: keep-alive\r\n';
      s += '\r\n';
      this.ctx.events.request(this.#route, res.status, performance.now() - this.#startedAt);
      this.#clientWritten = true;
      const bodyStart = end + 4;
      const bodyEnd = this.#bodyEnd(buf, bodyStart);
      if (bodyEnd < 0) return;
      if (!writeHeadAndBody(this.socket, s, buf, bodyStart, bodyEnd)) up.socket.pause();
      if (this.#resDone()) this.#afterResponse(up, bodyEnd < buf.length);
      return;
    }
  }

  /** How much of `buf[start..]` belongs to the response body; updates framing; -1 on error. */
  #bodyEnd(buf: Buffer, start: number): number {
    if (this.#resChunk !== undefined) {
      try {
        const e = this.#resChunk.scan(buf, start);
        return e < 0 ? buf.length : e;
      } catch {
        this.socket.destroy();
        (this.#up as UpstreamConn).destroy();
        return -1;
      }
    }
    if (this.#resUntilClose) return buf.length;
    const e = Math.min(buf.length, start + this.#resLeft);
    this.#resLeft -= e - start;
    return e;
  }

  #resDone(): boolean {
    if (this.#resChunk !== undefined) return this.#resChunk.done;
    return !this.#resUntilClose && this.#resLeft === 0;
  }

  #responseBody(up: UpstreamConn, chunk: Buffer, start: number): void {
    const end = this.#bodyEnd(chunk, start);
    if (end < 0) return;
    if (end > start) {
      const part = start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end);
      if (!this.socket.write(part)) up.socket.pause();
    }
    if (this.#resDone()) this.#afterResponse(up, end < chunk.length);
  }

  #afterResponse(up: UpstreamConn, extra: boolean): void {
    if (!this.#reqDone) {
      // the upstream answered before the request body ended: this connection is done
      this.#keepAlive = false;
      up.destroy();
    } else if (
      extra ||
      !(this.#res as ResponseHead).keepAlive ||
      (this.#head as RequestHead).minor === 0
    ) {
      up.destroy();
    } else {
      this.#up = undefined;
      up.pool.release(up, Date.now(), (this.#res as ResponseHead).keepAliveMs);
    }
    this.#finish();
  }

  #finish(): void {
    const up = this.#up;
    this.#up = undefined;
    if (up !== undefined) up.destroy();
    this.#releaseTarget();
    this.#head = undefined;
    this.#route = undefined;
    this.#res = undefined;
    this.idleSince = Date.now();
    if (!this.#keepAlive || this.ctx.draining) {
      this.#state = S_CLOSED;
      this.socket.end();
      return;
    }
    this.#state = S_HEAD;
    this.socket.resume();
    if (this.#buf !== undefined) this.#heads();
  }

  #releaseTarget(): void {
    const t = this.#target;
    if (t !== undefined) {
      t.state.outstanding--;
      this.#target = undefined;
    }
  }

  #canRetry(): boolean {
    return (
      this.#retryable &&
      this.#retries < MAX_RETRIES &&
      !this.#clientWritten &&
      this.#state !== S_CLOSED
    );
  }

  #failTarget(t: Target, reason: string): void {
    const ms = this.ctx.states.fail(t.state, Date.now());
    this.ctx.events.eject(t, ms, reason);
  }

  /** Drops `up` and sends the request to another target (or the same one when alone). */
  #retry(up: UpstreamConn | undefined, reason: string, stale = false): void {
    const failed = this.#target as Target;
    // The table may have changed since the first pick (an instance deregistered while it was
    // failing us): pick again from the current route for this request.
    const head = this.#head as RequestHead;
    const route =
      (!stale && this.ctx.table?.lookup(head.host.toLowerCase(), head.path)) ||
      (this.#route as Route);
    this.#route = route;
    if (stale) this.#staleRetries++;
    else {
      this.#retries++;
      this.#failed.push(failed);
    }
    this.#up = undefined;
    up?.destroy();
    this.#releaseTarget();
    this.sentAt = 0;
    this.#resBuf = undefined;
    // one stale pooled socket means its idle siblings are likely stale too
    if (stale) this.ctx.pools.for(failed).dropIdle();
    const next = stale
      ? failed
      : (pickTarget(route, this.ctx.strategy, Date.now(), this.#failed) ?? failed);
    this.ctx.events.retry(route, next, reason);
    this.#dispatch(next);
  }

  onUpstreamClose(up: UpstreamConn, err: Error | undefined): void {
    if (up !== this.#up) return;
    this.#up = undefined;
    if (this.#state === S_TUNNEL) {
      this.#releaseTarget();
      this.socket.end();
      this.#state = S_CLOSED;
      return;
    }
    if (this.#state === S_CLOSED) return;
    if (this.#res === undefined) {
      const t = this.#target as Target;
      if (!up.connected) {
        this.#failTarget(t, err?.message ?? 'connect failed');
        // Nothing reached the upstream, so any request may go elsewhere.
        if (this.#retries < MAX_RETRIES && !this.#clientWritten && !this.#bodySent) {
          this.#retry(up, 'connect failed');
          return;
        }
        this.#gatewayError(502);
        return;
      }
      if (this.#timedOut) {
        this.#failTarget(t, 'response timeout');
        this.#gatewayError(504);
        return;
      }
      if (up.uses > 0 && this.#retryable && !this.#clientWritten && this.#staleRetries < 2) {
        // a pooled keep-alive socket the upstream had closed: not the upstream's fault
        this.#retry(up, 'stale keep-alive connection', true);
        return;
      }
      this.#failTarget(t, err?.message ?? 'connection closed before response');
      if (this.#canRetry()) {
        this.#retry(up, 'connection closed before response');
        return;
      }
      this.#gatewayError(502);
      return;
    }
    if (this.#resUntilClose) {
      this.#keepAlive = false;
      this.#finish();
      return;
    }
    // the body was cut short: the client must see a broken message, not a complete one
    this.#releaseTarget();
    this.#state = S_CLOSED;
    this.socket.destroy();
  }

  #tunnel(up: UpstreamConn, res: ResponseHead, buf: Buffer, start: number): void {
    this.#state = S_TUNNEL;
    this.ctx.events.request(this.#route, 101, performance.now() - this.#startedAt);
    const s = `${res.statusLine}\r\n${res.rest}Connection: Upgrade\r\nUpgrade: ${res.upgrade ?? ''}\r\n\r\n`;
    writeHeadAndBody(this.socket, s, buf, start, buf.length);
    const early = this.#buf;
    this.#buf = undefined;
    if (early !== undefined) up.socket.write(early);
    this.socket.resume();
  }

  #gatewayError(status: number): void {
    this.#releaseTarget();
    if (this.#clientWritten) {
      this.#state = S_CLOSED;
      this.socket.destroy();
      return;
    }
    this.#local(status, status === 504 ? 'upstream timeout' : 'upstream failed');
  }

  #badGateway(up: UpstreamConn, reason: string): void {
    this.ctx.events.clientError('BERTH_ROUTER_BAD_UPSTREAM', reason);
    this.#up = undefined;
    up.destroy();
    this.#gatewayError(502);
  }

  /** Answers the current request locally. */
  #local(status: number, reason: string, extra = ''): void {
    const head = this.#head as RequestHead;
    // a request body we did not read makes the connection unusable
    if (!this.#reqDone) this.#keepAlive = false;
    this.#clientWritten = true;
    this.socket.write(
      localResponse(status, {
        close: !this.#keepAlive || this.ctx.draining,
        head: head.method === 'HEAD',
        extra,
        body: `${status} ${reason}\n`,
      }),
      'latin1',
    );
    this.ctx.events.request(this.#route, status, 0);
    if (!this.#reqDone) this.#reqDone = true;
    this.#finish();
  }

  /** A malformed or oversized request: answer and close. */
  #reject(status: number, reason: string): void {
    this.ctx.events.clientError('BERTH_ROUTER_BAD_REQUEST', reason);
    this.ctx.events.request(undefined, status, 0);
    this.#state = S_CLOSED;
    this.#buf = undefined;
    this.socket.end(localResponse(status, { close: true }), 'latin1');
    this.idleSince = Date.now();
  }

  /** Aborts a request whose body turned out malformed. */
  #abort(reason: string): void {
    this.ctx.events.clientError('BERTH_ROUTER_BAD_REQUEST', reason);
    const up = this.#up;
    this.#up = undefined;
    up?.destroy();
    this.#releaseTarget();
    this.#state = S_CLOSED;
    if (this.#clientWritten) this.socket.destroy();
    else this.socket.end(localResponse(400, { close: true }), 'latin1');
  }

  #internalError(err: unknown): void {
    this.ctx.events.clientError('BERTH_ROUTER_INTERNAL', String((err as Error)?.stack ?? err));
    const up = this.#up;
    this.#up = undefined;
    up?.destroy();
    this.#releaseTarget();
    this.#state = S_CLOSED;
    this.socket.destroy();
  }

  #onClose(): void {
    this.#state = S_CLOSED;
    const up = this.#up;
    this.#up = undefined;
    if (up !== undefined) up.destroy();
    this.#releaseTarget();
  }
}
