/**
 * The upstream side of one proxied request: picks up a pooled socket, sends the rewritten
 * head and the body, reads the response head, and hands the response to a relay (or the
 * sockets to a tunnel after a 101). Failures go through the pure passive-health policy,
 * which says whether to eject, retry elsewhere or answer. It must never resend a request the
 * policy refuses, never hold more than a small window of request body, and never keep an
 * upstream socket once its client has gone.
 */
import { isIdempotent, type RequestHead } from '../../core/request-head.js';
import { forwardingHeaders } from '../../core/forwarded.js';
import { pickTarget } from '../../core/balancer.js';
import { judge, type Failure } from '../../core/passive-health.js';
import { upstreamHead } from '../../core/upstream-request.js';
import { exchangeExpired } from '../../core/deadlines.js';
import { RouterError } from '../../errors.js';
import type { Route, Target } from '../../core/route-table.js';
import type { ExchangeClient } from './proxy-context.js';
import type { UpstreamConn, UpstreamOwner } from './upstream-pool.js';
import { ResponseRelay, readResponseHead } from './response-relay.js';

/** Request body bytes held while the upstream socket connects. */
const PENDING_LIMIT = 64 * 1024;
/** Connect errors that are this process's shortage, never the upstream's fault. */
const LOCAL_ERRORS = new Set(['EMFILE', 'ENFILE', 'EADDRNOTAVAIL', 'ENOBUFS', 'ENOMEM']);

/** One request's trip upstream, retries included. */
export class Exchange implements UpstreamOwner {
  #route: Route;
  #target: Target | undefined;
  #up: UpstreamConn | undefined;
  readonly #fwd: string;
  readonly #startedAt = performance.now();
  #pending: Buffer[] | undefined;
  #pendingBytes = 0;
  /** Any byte of this request reached an upstream socket. */
  #written = false;
  /** Body bytes left our hands (so the request cannot be replayed). */
  #bodySent = false;
  #reqDone: boolean;
  /** Coarse ms the response timer started: the request fully sent (0 = not yet). */
  #waitSince = 0;
  #connectSince = 0;
  #retries = 0;
  #staleReplaced = false;
  #failed: Target[] | undefined;
  /** Why we destroyed the upstream socket ourselves. */
  #cause: Failure | undefined;
  #gotBytes = false;
  #resBuf: Buffer | undefined;
  #relay: ResponseRelay | undefined;
  /** Bytes of a response (an interim one included) went to the client. */
  responded = false;
  #over = false;

  constructor(
    readonly client: ExchangeClient,
    readonly head: RequestHead,
    route: Route,
    reqDone: boolean,
  ) {
    this.#route = route;
    this.#reqDone = reqDone;
    this.#fwd = forwardingHeaders(head, client.info, client.ctx.forwarding);
    route.budget.request(client.ctx.clock.now);
  }

  start(target: Target): void {
    this.#dispatch(target, false);
  }

  #dispatch(target: Target, fresh: boolean): void {
    const ctx = this.client.ctx;
    this.#target = target;
    target.state.outstanding++;
    this.#gotBytes = false;
    this.#cause = undefined;
    this.#connectSince = ctx.clock.now;
    const up = ctx.pools.for(target).acquire(this, Date.now(), fresh);
    this.#up = up;
    if (up.connected) this.#send(up);
  }

  #send(up: UpstreamConn): void {
    const s = upstreamHead(this.head, this.#target as Target, this.#fwd);
    this.#written = true;
    const pending = this.#pending;
    if (pending === undefined) up.socket.write(s, 'latin1');
    else {
      this.#pending = undefined;
      this.#pendingBytes = 0;
      this.#bodySent = true;
      up.socket.cork();
      up.socket.write(s, 'latin1');
      for (const b of pending) up.socket.write(b);
      up.socket.uncork();
      if (!up.socket.writableNeedDrain) this.client.resumeBody();
    }
    if (this.#reqDone) this.#waitSince = this.client.ctx.clock.now;
  }

  /** Request body bytes; false when the client should stop sending for now. */
  body(part: Buffer): boolean {
    const up = this.#up;
    if (up !== undefined && up.connected && this.#written) {
      this.#bodySent = true;
      return up.socket.write(part);
    }
    (this.#pending ??= []).push(part);
    this.#pendingBytes += part.length;
    return this.#pendingBytes <= PENDING_LIMIT;
  }

  /** The request body is complete: the response timer starts now. */
  requestEnded(): void {
    this.#reqDone = true;
    if (this.#written) this.#waitSince = this.client.ctx.clock.now;
    if (this.#relay?.done === true) this.#complete();
  }

  clientDrained(): void {
    this.#up?.socket.resume();
  }

  onUpstreamConnect(up: UpstreamConn): void {
    if (up === this.#up) this.#send(up);
  }

  onUpstreamDrain(up: UpstreamConn): void {
    if (up === this.#up) this.client.resumeBody();
  }

  onUpstreamData(up: UpstreamConn, chunk: Buffer): void {
    if (up !== this.#up) {
      up.destroy();
      return;
    }
    this.client.lastActive = this.client.ctx.clock.now;
    this.#gotBytes = true;
    const relay = this.#relay;
    try {
      if (relay === undefined) this.#responseHead(up, chunk);
      else if (relay.body(chunk, 0)) this.#complete();
    } catch (err) {
      // bad chunked framing mid-body: the head is out, so the client sees an abort
      this.client.ctx.events.clientError('BERTH_ROUTER_BAD_UPSTREAM', (err as Error).message);
      this.abort();
      this.client.abortClient();
    }
  }

  #responseHead(up: UpstreamConn, chunk: Buffer): void {
    const c = this.client;
    const buf = this.#resBuf === undefined ? chunk : Buffer.concat([this.#resBuf, chunk]);
    const step = readResponseHead(buf, c.ctx.maxHeaderSize, c.socket, this.head.minor, () => {
      this.responded = true;
    });
    if (step.kind === 'more') {
      this.#resBuf = step.buf.length === 0 ? undefined : step.buf;
      return;
    }
    if (step.kind === 'bad') return this.#refuse(up, step.reason);
    this.#resBuf = undefined;
    const { res, start } = step;
    const ms = performance.now() - this.#startedAt;
    if (res.status === 101) {
      if (this.head.upgrade === undefined) return this.#refuse(up, 'unexpected 101');
      c.ctx.events.request(this.#route, 101, ms, this.#target);
      this.#release();
      this.#up = undefined;
      this.#over = true;
      const h = `${res.statusLine}\r\n${res.rest}Connection: Upgrade\r\nUpgrade: ${res.upgrade ?? ''}\r\n\r\n`;
      return c.startTunnel(up, h, step.buf, start);
    }
    if (res.status >= 502 && res.status <= 504) {
      if (this.#fail('status', `status ${res.status}`, res.status, res.retryAfter)) return;
    } else c.ctx.states.succeed((this.#target as Target).state);
    c.ctx.events.request(this.#route, res.status, ms, this.#target);
    this.responded = true;
    const relay = new ResponseRelay(c.socket, up, this.head, res, c.keepAlive && this.#reqDone);
    this.#relay = relay;
    if (relay.start(step.buf, start)) this.#complete();
  }

  /** A response we refuse to pass on: 502 (and the upstream counts as failed). */
  #refuse(up: UpstreamConn, reason: string): void {
    this.client.ctx.events.clientError('BERTH_ROUTER_BAD_UPSTREAM', reason);
    this.#cause = 'bad-response';
    up.destroy(new RouterError('BERTH_ROUTER_BAD_UPSTREAM', reason));
  }

  /** The response went out whole: give the socket back and free the client connection. */
  #complete(): void {
    const relay = this.#relay as ResponseRelay;
    if (!this.#reqDone) {
      // answered before the request body ended: neither connection can carry another request
      this.#finish(false, false);
      return;
    }
    this.#finish(relay.reusable, relay.clientKeepAlive);
  }

  #finish(reuse: boolean, clientKeep: boolean): void {
    const up = this.#up;
    this.#up = undefined;
    this.#over = true;
    this.#release();
    if (up !== undefined) {
      if (reuse) up.pool.release(up, Date.now(), this.#relay?.keepAliveMs ?? -1);
      else up.destroy();
    }
    this.client.exchangeDone(clientKeep);
  }

  #release(): void {
    const t = this.#target;
    if (t !== undefined) {
      t.state.outstanding--;
      this.#target = undefined;
    }
  }

  onUpstreamClose(up: UpstreamConn, err: Error | undefined): void {
    if (up !== this.#up || this.#over) return;
    const relay = this.#relay;
    if (relay !== undefined) {
      this.#up = undefined;
      if (relay.untilClose && err === undefined) return this.#finish(false, false);
      // the body was cut short: the client must see a broken message, not a complete one
      this.#over = true;
      this.#release();
      this.client.abortClient();
      return;
    }
    let failure: Failure;
    const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
    if (this.#cause !== undefined) failure = this.#cause;
    else if (!up.connected) failure = LOCAL_ERRORS.has(code) ? 'local-error' : 'connect-error';
    else if (up.uses > 0 && !this.#gotBytes) failure = 'stale-connection';
    else failure = 'reset';
    this.#fail(failure, err?.message ?? 'connection closed');
  }

  /**
   * Applies the passive-health policy to a failed attempt. True when it took over (retry
   * or local answer); false when the upstream's own response is to be passed on.
   */
  #fail(failure: Failure, detail: string, status?: number, retryAfter?: boolean): boolean {
    const c = this.client;
    const ctx = c.ctx;
    const t = this.#target as Target;
    const route = this.#route;
    const now = ctx.clock.now;
    const reason = status === undefined ? failure : `status ${status}`;
    const v = judge({
      failure,
      ...(status !== undefined ? { status, retryAfter: retryAfter === true } : {}),
      idempotent: isIdempotent(this.head.method),
      written: this.#written,
      replayable: !this.#bodySent,
      responded: this.responded,
      retries: this.#retries,
      staleReplaced: this.#staleReplaced,
      withinBudget: route.budget.canRetry(now),
    });
    if (v.eject) ctx.events.eject(t, ctx.states.fail(t.state, Date.now()), `${reason}: ${detail}`);
    if (v.retry !== false) {
      // the table may have changed since the first pick: pick again from the current one
      const next = ctx.table?.lookup(this.head.host.toLowerCase(), this.head.path) ?? route;
      if (failure !== 'stale-connection') (this.#failed ??= []).push(t);
      else ctx.pools.for(t).dropIdle();
      const target = pickTarget(next, ctx.strategy, Date.now(), this.#failed);
      if (target !== undefined && target.redirect === 0) {
        route.budget.retry(now);
        this.#retries++;
        if (failure === 'stale-connection') this.#staleReplaced = true;
        this.#drop();
        this.#route = next;
        ctx.events.retry(next, target, reason);
        this.#dispatch(target, v.retry === 'fresh');
        return true;
      }
    }
    if (v.status === 0) return false;
    this.#drop();
    this.#over = true;
    if (v.status < 0) c.abortClient();
    else
      c.exchangeFailed(
        v.status,
        failure === 'response-timeout' ? 'upstream timeout' : 'upstream failed',
        route,
      );
    return true;
  }

  /** Lets go of the current upstream socket and target. */
  #drop(): void {
    const up = this.#up;
    this.#up = undefined;
    up?.destroy();
    this.#release();
    this.#resBuf = undefined;
  }

  /** Enforces the exchange's deadline; called by the client connection's tick. */
  tick(now: number): void {
    const up = this.#up;
    if (this.#over || up === undefined) return;
    const c = this.client;
    const expired = exchangeExpired(
      {
        connected: up.connected,
        connectSince: this.#connectSince,
        requestDone: this.#reqDone,
        waitSince: this.#waitSince,
        streaming: this.#relay !== undefined,
        lastActive: c.lastActive,
        clientBacklog: c.socket.writableLength > 0,
        upstreamBacklog: up.socket.writableLength > 0,
      },
      now,
      c.ctx.timeouts,
    );
    if (expired === undefined) return;
    const events = c.ctx.events;
    if (expired === 'client-send' || expired === 'stalled') {
      // while the body streams: whoever stalled, the client sees a broken message
      events.timeout(expired === 'client-send' ? 'send' : 'response');
      this.abort();
      c.abortClient();
    } else if (expired === 'body') {
      // the client stopped sending its body: 408, nobody ejected
      events.timeout('body');
      this.abort();
      if (this.responded) c.abortClient();
      else c.exchangeFailed(408, 'request body timeout', this.#route);
    } else {
      events.timeout(expired === 'connect' ? 'connect' : 'response');
      this.#cause =
        expired === 'connect'
          ? 'connect-timeout'
          : expired === 'response'
            ? 'response-timeout'
            : 'send-timeout';
      up.destroy(new RouterError('BERTH_ROUTER_TIMEOUT', this.#cause));
    }
  }

  /** The client went away (or broke its request): drop the upstream side at once. */
  abort(): void {
    if (this.#over) return;
    this.#over = true;
    this.#drop();
  }
}
