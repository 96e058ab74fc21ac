/**
 * One client connection of the proxy, the client framing side: request heads, request
 * bodies, pipelining and back-pressure, and the inactivity deadline of whatever phase the
 * connection is in (a PROXY header was read before, see proxy-header.ts). The upstream side of a request is an `Exchange`, an
 * upgraded connection a `Tunnel`, the router's own answers `local-answer.ts`. It must never
 * parse a request while the client has unread answers to drain, never buffer more than one
 * head's worth of pipelined bytes, and never throw out of a socket callback.
 */
import type net from 'node:net';
import type { RequestHead } from '../../core/request-head.js';
import { BodyFraming } from '../../core/body-framing.js';
import type { ConnectionInfo } from '../../core/forwarded.js';
import { readRequestHead } from '../../core/head-framing.js';
import { dispatch } from '../../core/dispatch.js';
import { connectionExpired } from '../../core/deadlines.js';
import type { ExchangeClient, ProxyContext } from './proxy-context.js';
import type { UpstreamConn } from './upstream-pool.js';
import type { Route } from '../../core/route-table.js';
import { Exchange } from './upstream-exchange.js';
import { Tunnel } from './tunnel.js';
import { answer } from './local-answer.js';

const S_HEAD = 1;
const S_BODY = 2;
const S_WAIT = 3;
const S_TUNNEL = 4;
const S_CLOSING = 5;
const S_CLOSED = 6;

/** State of one client connection. */
export class ClientConn implements ExchangeClient {
  /** Coarse ms of the last byte moved for this connection, either way. */
  lastActive: number;
  /** Coarse ms when the current request head started arriving (0 = none). */
  headSince = 0;
  #state: number;
  #buf: Buffer | undefined;
  #head: RequestHead | undefined;
  #exchange: Exchange | undefined;
  #tunnel: Tunnel | undefined;
  #body: BodyFraming | undefined;
  #keepAlive = true;
  #ended = false;
  #paused = false;
  /** The exchange cannot take more body bytes now. */
  #bodyBlocked = false;
  #pumping = false;
  readonly #dataListener = (chunk: Buffer) => this.#onData(chunk);
  readonly #drainListener = () => this.#onDrain();
  readonly #endListener = () => this.#onEnd();

  constructor(
    readonly socket: net.Socket,
    readonly ctx: ProxyContext,
    readonly info: ConnectionInfo,
    initial?: Buffer,
  ) {
    this.lastActive = ctx.clock.now;
    this.#state = S_HEAD;
    socket.on('data', this.#dataListener);
    socket.on('drain', this.#drainListener);
    socket.on('end', this.#endListener);
    socket.on('error', () => {});
    socket.on('close', () => this.#onClose());
    if (initial !== undefined) this.#onData(initial);
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

  /** Closes the connection now if it is between requests with nothing buffered either way. */
  closeIdle(): boolean {
    const idle = this.#state === S_HEAD && this.headSince === 0 && this.#buf === undefined;
    if (!idle || this.socket.writableLength > 0) return false;
    this.#state = S_CLOSED;
    this.socket.destroy();
    return true;
  }

  /** Enforces the deadline of the current phase; called by the server's sweep. */
  tick(now: number): void {
    const s = this.#state;
    if (s === S_BODY || s === S_WAIT) return this.#exchange?.tick(now);
    if (s === S_TUNNEL) return this.#tunnel?.tick(now);
    if (s === S_CLOSED) return;
    const phase = {
      kind:
        s === S_CLOSING
          ? 'closing'
          : this.headSince !== 0
            ? 'head'
            : this.#buf
              ? 'pipelined'
              : 'idle',
      headSince: this.headSince,
      lastActive: this.lastActive,
      clientBacklog: this.socket.writableLength > 0,
    } as const;
    const expired = connectionExpired(phase, now, this.ctx.timeouts);
    if (expired === undefined) return;
    this.ctx.events.timeout(expired);
    if (expired === 'header') return this.reject(408, 'request head timeout');
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
    // bytes dropped after our side closed do not extend the linger
    if (this.#state === S_CLOSING || this.#state === S_CLOSED) return;
    this.lastActive = this.ctx.clock.now;
    try {
      switch (this.#state) {
        case S_BODY:
          this.#bodyBytes(chunk, 0);
          return;
        default:
          this.#buf = this.#buf === undefined ? chunk : Buffer.concat([this.#buf, chunk]);
          if (this.#state === S_HEAD) this.#pump();
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
      else if (this.#state === S_HEAD) this.#pump();
    } catch (err) {
      this.#internalError(err);
    }
  }

  #onEnd(): void {
    this.#ended = true;
    this.#keepAlive = false;
    switch (this.#state) {
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
    const buf = this.#buf as Buffer;
    if (this.headSince === 0) this.headSince = this.ctx.clock.now;
    const r = readRequestHead(buf, this.ctx.maxHeaderSize);
    if ('skip' in r) {
      // only empty lines so far: no head has started
      if (r.skip === buf.length) {
        this.#buf = undefined;
        this.headSince = 0;
      }
      return false;
    }
    if ('status' in r) {
      this.reject(r.status, r.reason);
      return false;
    }
    this.headSince = 0;
    this.#buf = r.next === buf.length ? undefined : buf.subarray(r.next);
    this.#start(r.head);
    return true;
  }

  #start(head: RequestHead): void {
    this.#head = head;
    this.#keepAlive = head.keepAlive && !this.#ended;
    const reqDone = !head.chunked && head.contentLength <= 0;
    this.#body = reqDone ? undefined : new BodyFraming(head);
    this.#bodyBlocked = false;
    this.#state = reqDone ? S_WAIT : S_BODY;
    const d = dispatch(head, this.ctx.table, this.ctx, Date.now());
    if (d.kind === 'local') {
      answer(this, d.route, d.status, d.reason, d.extra);
      return;
    }
    const ex = new Exchange(this, head, d.route, reqDone);
    this.#exchange = ex;
    ex.start(d.target);
    // body bytes that came with the head
    if (this.#state === S_BODY && this.#buf !== undefined) {
      const rest = this.#buf;
      this.#buf = undefined;
      this.#bodyBytes(rest, 0);
    }
  }

  /** Request body bytes from `chunk[start..]`. */
  #bodyBytes(chunk: Buffer, start: number): void {
    const framing = this.#body as BodyFraming;
    let end: number;
    try {
      end = framing.next(chunk, start);
    } catch (err) {
      this.#badBody((err as Error).message);
      return;
    }
    const ex = this.#exchange;
    if (end > start && ex !== undefined) {
      const part = start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end);
      if (!ex.body(part)) this.#bodyBlocked = true;
    }
    if (framing.done) {
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
  exchangeFailed(status: number, reason: string, route: Route | undefined): void {
    this.#exchange = undefined;
    answer(this, route, status, reason);
  }

  /** Aborts the connection so the client sees a broken message, never a complete one. */
  abortClient(): void {
    this.#exchange = undefined;
    this.#state = S_CLOSED;
    this.socket.resetAndDestroy();
  }

  /** The upstream accepted an upgrade: the tunnel takes the client socket over. */
  startTunnel(up: UpstreamConn, head: string, buf: Buffer, start: number): void {
    this.#exchange = undefined;
    this.#state = S_TUNNEL;
    const early = this.#buf;
    this.#buf = undefined;
    this.socket.off('data', this.#dataListener);
    this.socket.off('drain', this.#drainListener);
    this.socket.off('end', this.#endListener);
    this.#tunnel = new Tunnel(this, up, head, buf.subarray(start), early);
    this.socket.resume();
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
    answer(this, undefined, status, reason);
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
      answer(this, undefined, 400, reason);
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
