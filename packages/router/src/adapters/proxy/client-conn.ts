/**
 * One client connection of the proxy, the client framing side: the PROXY header, request
 * heads, request bodies, pipelining and back-pressure, and the inactivity deadline of
 * whatever phase the connection is in. The upstream side of a request is an `Exchange`, an
 * upgraded connection a `Tunnel`, the router's own answers `local-answer.ts`. It must never
 * parse a request while the client has unread answers to drain, never buffer more than one
 * head's worth of pipelined bytes, and never throw out of a socket callback.
 */
import type net from 'node:net';
import { parseRequestHead, type RequestHead } from '../../core/request-head.js';
import { ChunkedScanner } from '../../core/chunked.js';
import { normalizeAddress, type ConnectionInfo } from '../../core/forwarded.js';
import { parseProxyHeader } from '../../core/proxy-protocol.js';
import { pickTarget } from '../../core/balancer.js';
import { RequestError } from '../../errors.js';
import type { ProxyContext } from './proxy-context.js';
import type { UpstreamConn } from './upstream-pool.js';
import { Exchange, type ExchangeClient } from './upstream-exchange.js';
import { Tunnel } from './tunnel.js';
import * as local from './local-answer.js';

const S_PROXY = 0;
const S_HEAD = 1;
const S_BODY = 2;
const S_WAIT = 3;
const S_TUNNEL = 4;
const S_CLOSING = 5;
const S_CLOSED = 6;

const CRLF = Buffer.from('\r\n');
const CRLF2 = Buffer.from('\r\n\r\n');

/** State of one client connection. */
export class ClientConn implements ExchangeClient {
  info: ConnectionInfo;
  /** Coarse ms of the last byte moved for this connection, either way. */
  lastActive: number;
  /** Coarse ms when the current request head started arriving (0 = none). */
  headSince = 0;
  #state: number;
  #buf: Buffer | undefined;
  #head: RequestHead | undefined;
  #exchange: Exchange | undefined;
  #tunnel: Tunnel | undefined;
  #reqLeft = 0;
  #reqChunk: ChunkedScanner | undefined;
  #keepAlive = true;
  #ended = false;
  #paused = false;
  /** The exchange cannot take more body bytes now. */
  #bodyBlocked = false;
  #pumping = false;

  constructor(
    readonly socket: net.Socket,
    readonly ctx: ProxyContext,
  ) {
    const peer = normalizeAddress(socket.remoteAddress);
    const trusted = ctx.forwarding.trusted.has(peer);
    this.info = { client: peer, trusted, localPort: socket.localPort ?? 0 };
    this.lastActive = ctx.clock.now;
    this.#state = ctx.proxyProtocol ? S_PROXY : S_HEAD;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => this.#onDrain());
    socket.on('error', () => {});
    socket.on('end', () => this.#onEnd());
    socket.on('close', () => this.#onClose());
    if (ctx.proxyProtocol && !trusted) {
      // a PROXY header is believed from the load balancer only
      ctx.events.clientError(
        'BERTH_ROUTER_BAD_PROXY_PROTOCOL',
        `PROXY header from untrusted ${peer}`,
      );
      this.#state = S_CLOSED;
      socket.destroy();
    }
  }

  /** The request being served. */
  get head(): RequestHead | undefined {
    return this.#head;
  }

  /** True when the current request was read to its end. */
  get requestRead(): boolean {
    return this.#state !== S_BODY;
  }

  /** The client may send another request on this connection after this one. */
  get keepAlive(): boolean {
    return this.#keepAlive && !this.ctx.draining;
  }

  /** True when between requests with nothing buffered either way (safe to close). */
  get idle(): boolean {
    return (
      this.#state === S_HEAD &&
      this.headSince === 0 &&
      this.#buf === undefined &&
      this.socket.writableLength === 0
    );
  }

  /** Closes the connection now when idle (drain, connection shedding); true if it did. */
  closeIdle(): boolean {
    if (!this.idle) return false;
    this.#state = S_CLOSED;
    this.socket.destroy();
    return true;
  }

  /** Enforces the deadline of the current phase; called by the server's sweep. */
  tick(now: number): void {
    const t = this.ctx.timeouts;
    const s = this.#state;
    if (s === S_BODY || s === S_WAIT) this.#exchange?.tick(now);
    else if (s === S_TUNNEL) this.#tunnel?.tick(now);
    else if (this.socket.writableLength > 0 && now - this.lastActive > t.send)
      this.#timeout('send');
    else if (s === S_PROXY && now - this.lastActive > t.header) this.#timeout('header');
    else if (s === S_HEAD && this.headSince !== 0 && now - this.headSince > t.header) {
      this.ctx.events.timeout('header');
      this.reject(408, 'request head timeout');
    } else if (s === S_HEAD && this.#buf === undefined && now - this.lastActive > t.idle) {
      this.#timeout('idle');
    } else if (s === S_CLOSING && now - this.lastActive > t.linger) this.#timeout('linger');
  }

  #timeout(kind: 'send' | 'header' | 'idle' | 'linger'): void {
    this.ctx.events.timeout(kind);
    this.#state = S_CLOSED;
    this.socket.destroy();
  }

  /**
   * Reads from the client only while there is room: the body while the exchange takes it,
   * otherwise up to one head's worth of pipelined bytes. Reading on while an exchange runs
   * is what lets a client that leaves be noticed at once.
   */
  #updateReading(): void {
    const s = this.#state;
    if (s === S_TUNNEL || s === S_CLOSED) return;
    const read =
      s === S_BODY ? !this.#bodyBlocked : (this.#buf?.length ?? 0) <= this.ctx.maxHeaderSize;
    if (read && this.#paused) {
      this.#paused = false;
      this.socket.resume();
    } else if (!read && !this.#paused) {
      this.#paused = true;
      this.socket.pause();
    }
  }

  #onData(chunk: Buffer): void {
    this.lastActive = this.ctx.clock.now;
    try {
      switch (this.#state) {
        case S_TUNNEL:
          this.#tunnel?.fromClient(chunk);
          return;
        case S_BODY:
          this.#body(chunk, 0);
          return;
        case S_CLOSING:
        case S_CLOSED:
          return;
        default:
          this.#buf = this.#buf === undefined ? chunk : Buffer.concat([this.#buf, chunk]);
          if (this.#state === S_PROXY) this.#proxyHeader();
          else if (this.#state === S_HEAD) this.#pump();
          // a bounded pipeline: at most one head's worth of bytes waits
          else this.#updateReading();
      }
    } catch (err) {
      this.#internalError(err);
    }
  }

  #onDrain(): void {
    this.lastActive = this.ctx.clock.now;
    try {
      if (this.#exchange !== undefined) this.#exchange.clientDrained();
      else if (this.#tunnel !== undefined) this.#tunnel.clientDrained();
      else if (this.#state === S_HEAD) this.#pump();
    } catch (err) {
      this.#internalError(err);
    }
  }

  #onEnd(): void {
    this.#ended = true;
    this.#keepAlive = false;
    switch (this.#state) {
      case S_TUNNEL:
        this.#tunnel?.clientEnded();
        return;
      case S_BODY:
      case S_WAIT:
        // the client left mid-exchange (nginx's 499): the upstream exchange ends with it
        this.#exchange?.abort();
        this.#exchange = undefined;
        this.#state = S_CLOSED;
        this.socket.destroy();
        return;
      case S_HEAD:
        if (this.#buf === undefined) this.#close();
        return;
      case S_PROXY:
        this.#state = S_CLOSED;
        this.socket.destroy();
    }
  }

  #onClose(): void {
    this.#state = S_CLOSED;
    this.#exchange?.abort();
    this.#exchange = undefined;
    this.#tunnel?.close();
    this.#tunnel = undefined;
    this.#buf = undefined;
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
    if (h.source !== undefined) {
      const client = normalizeAddress(h.source);
      this.info = { ...this.info, client, trusted: this.ctx.forwarding.trusted.has(client) };
    }
    this.#buf = h.length === buf.length ? undefined : buf.subarray(h.length);
    this.#state = S_HEAD;
    if (this.#buf !== undefined) this.#pump();
  }

  /** Starts as many requests as the buffer holds, one exchange at a time. */
  #pump(): void {
    // a loop, not recursion: locally answered pipelined requests finish synchronously
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#state === S_HEAD && this.#buf !== undefined) {
        // back-pressure: no new request while the client has answers left to read
        if (this.socket.writableNeedDrain || !this.#nextHead()) break;
      }
    } finally {
      this.#pumping = false;
    }
    this.#updateReading();
  }

  /** Parses one head; false when more bytes are needed. */
  #nextHead(): boolean {
    let buf = this.#buf as Buffer;
    // RFC 9112 §2.2: ignore empty lines before a request line
    let skip = 0;
    while (skip + 1 < buf.length && buf[skip] === 13 && buf[skip + 1] === 10) skip += 2;
    if (skip > 0) {
      buf = buf.subarray(skip);
      this.#buf = buf.length === 0 ? undefined : buf;
      if (buf.length === 0) return false;
    }
    if (this.headSince === 0) this.headSince = this.ctx.clock.now;
    const max = this.ctx.maxHeaderSize;
    const end = buf.indexOf(CRLF2);
    if (end < 0 ? buf.length > max : end > max) {
      const eol = buf.indexOf(CRLF);
      if (eol < 0 || eol > max) this.reject(414, 'request line too long');
      else this.reject(431, 'request head too large');
      return false;
    }
    if (end < 0) return false;
    let head: RequestHead;
    try {
      head = parseRequestHead(buf.toString('latin1', 0, end));
    } catch (err) {
      if (!(err instanceof RequestError)) throw err;
      this.reject(err.status, err.message);
      return false;
    }
    this.headSince = 0;
    this.#buf = end + 4 === buf.length ? undefined : buf.subarray(end + 4);
    this.#start(head);
    return true;
  }

  #start(head: RequestHead): void {
    this.#head = head;
    this.#keepAlive = head.keepAlive && !this.#ended;
    const reqDone = !head.chunked && head.contentLength <= 0;
    this.#reqLeft = head.contentLength > 0 ? head.contentLength : 0;
    this.#reqChunk = head.chunked ? new ChunkedScanner() : undefined;
    this.#bodyBlocked = false;
    this.#state = reqDone ? S_WAIT : S_BODY;
    if (head.method === 'TRACE' && !this.ctx.allowTrace) {
      local.answer(
        this,
        undefined,
        405,
        'TRACE is not allowed',
        'Allow: GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH\r\n',
      );
      return;
    }
    const route = this.ctx.table?.lookup(head.host.toLowerCase(), head.path);
    if (route === undefined) {
      local.answer(this, undefined, this.ctx.noRouteStatus, 'no route');
      return;
    }
    const target = pickTarget(route, this.ctx.strategy, Date.now());
    if (target === undefined) {
      local.unavailable(this, route);
      return;
    }
    if (target.redirect !== 0) {
      local.redirect(this, route, target);
      return;
    }
    const ex = new Exchange(this, head, route, reqDone);
    this.#exchange = ex;
    ex.start(target);
    // body bytes that came with the head
    if (this.#state === S_BODY && this.#buf !== undefined) {
      const rest = this.#buf;
      this.#buf = undefined;
      this.#body(rest, 0);
    }
  }

  /** Request body bytes from `chunk[start..]`. */
  #body(chunk: Buffer, start: number): void {
    let end: number;
    let done: boolean;
    if (this.#reqChunk !== undefined) {
      try {
        const e = this.#reqChunk.scan(chunk, start);
        done = e >= 0;
        end = done ? e : chunk.length;
      } catch (err) {
        this.#badBody((err as Error).message);
        return;
      }
    } else {
      end = Math.min(chunk.length, start + this.#reqLeft);
      this.#reqLeft -= end - start;
      done = this.#reqLeft === 0;
    }
    const ex = this.#exchange;
    if (end > start && ex !== undefined) {
      const part = start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end);
      if (!ex.body(part)) this.#bodyBlocked = true;
    }
    if (done) {
      this.#state = S_WAIT;
      this.#bodyBlocked = false;
      if (end < chunk.length) {
        const rest = chunk.subarray(end);
        this.#buf = this.#buf === undefined ? rest : Buffer.concat([this.#buf, rest]);
      }
      ex?.requestEnded();
    }
    this.#updateReading();
  }

  /** The exchange can take body bytes again. */
  resumeBody(): void {
    this.#bodyBlocked = false;
    this.#updateReading();
  }

  /** The current request is over; the connection carries the next one or closes. */
  exchangeDone(keepAlive: boolean): void {
    this.#exchange = undefined;
    this.#head = undefined;
    if (this.#state === S_CLOSED) return;
    if (this.#state === S_BODY || !keepAlive || !this.#keepAlive || this.ctx.draining) {
      this.#close();
      return;
    }
    this.#state = S_HEAD;
    this.lastActive = this.ctx.clock.now;
    this.#pump();
  }

  /** Answers the current request locally after the upstream side failed. */
  exchangeFailed(status: number, reason: string, route: Parameters<typeof local.answer>[1]): void {
    this.#exchange = undefined;
    local.answer(this, route, status, reason);
  }

  /** Aborts the connection so the client sees a broken message, never a complete one. */
  abortClient(): void {
    this.#exchange = undefined;
    this.#state = S_CLOSED;
    this.socket.resetAndDestroy();
  }

  /** The upstream accepted an upgrade: splice the two sockets. */
  startTunnel(up: UpstreamConn, head: string, buf: Buffer, start: number): void {
    this.#exchange = undefined;
    this.#state = S_TUNNEL;
    const early = this.#buf;
    this.#buf = undefined;
    this.#tunnel = new Tunnel(this, up, head, buf.subarray(start), early);
    if (this.#paused) {
      this.#paused = false;
      this.socket.resume();
    }
  }

  /** The tunnel closed the client side. */
  tunnelClosed(): void {
    this.#tunnel = undefined;
    if (this.#state !== S_CLOSED) this.#state = S_CLOSING;
  }

  /** Ends our side; input is read and dropped until the client closes or lingers too long. */
  #close(): void {
    this.#state = S_CLOSING;
    this.#buf = undefined;
    this.lastActive = this.ctx.clock.now;
    this.#updateReading();
    this.socket.end();
  }

  /** A malformed or oversized request, or a head timeout: answer and close. */
  reject(status: number, reason: string): void {
    this.ctx.events.clientError('BERTH_ROUTER_BAD_REQUEST', reason);
    this.#keepAlive = false;
    this.#head = undefined;
    if (this.#exchange !== undefined) return this.#badBody(reason);
    this.#state = S_WAIT;
    local.answer(this, undefined, status, reason);
  }

  /** A request body turned out malformed: its exchange is over, and so is the connection. */
  #badBody(reason: string): void {
    this.ctx.events.clientError('BERTH_ROUTER_BAD_REQUEST', reason);
    const ex = this.#exchange;
    this.#exchange = undefined;
    ex?.abort();
    if (ex !== undefined && ex.responded) this.abortClient();
    else {
      this.#keepAlive = false;
      local.answer(this, undefined, 400, reason);
    }
  }

  /** Called once a local answer was written (see local-answer.ts). */
  answered(keepAlive: boolean): void {
    this.exchangeDone(keepAlive && this.#state !== S_BODY);
  }

  #internalError(err: unknown): void {
    this.ctx.events.clientError('BERTH_ROUTER_INTERNAL', String((err as Error)?.stack ?? err));
    this.#exchange?.abort();
    this.#exchange = undefined;
    this.#tunnel?.close();
    this.#state = S_CLOSED;
    this.socket.destroy();
  }
}
