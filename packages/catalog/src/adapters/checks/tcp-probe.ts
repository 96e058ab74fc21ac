/**
 * One run of a TCP health check, as Consul's CheckTCP: passing when a connection opens within
 * the timeout (`TCP connect <host:port>: Success`), critical with Go-style dial error text
 * otherwise. It sends nothing, closes at once, never throws or rejects, and never outlives its
 * timeout or its abort signal.
 */

import net from 'node:net';
import { goNetError } from './http-probe.js';
import type { ProbeOutcome } from './http-probe.js';

/** Splits `host:port` / `[v6]:port`; undefined when it is not one. */
export function splitHostPort(address: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  if (m === null) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { host: m[1] ?? m[2] ?? '', port };
}

/** Runs one TCP check against `address` (`host:port`). */
export function probeTcp(
  address: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<ProbeOutcome> {
  const target = splitHostPort(address);
  if (target === undefined) {
    return Promise.resolve({
      status: 'critical',
      output: `dial tcp: address ${address}: missing port in address`,
    });
  }
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.host || 'localhost', port: target.port });
    const finish = (outcome: ProbeOutcome): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    const onAbort = (): void =>
      finish({ status: 'critical', output: `dial tcp ${address}: operation was canceled` });
    const timer = setTimeout(
      () => finish({ status: 'critical', output: `dial tcp ${address}: i/o timeout` }),
      timeoutMs,
    );
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () =>
      finish({ status: 'passing', output: `TCP connect ${address}: Success` }),
    );
    socket.once('error', (err) => finish({ status: 'critical', output: goNetError(err, address) }));
  });
}
