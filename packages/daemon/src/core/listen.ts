/**
 * Listen addresses: `host:port`, `:port` (all interfaces), `[v6]:port`. Pure.
 */

/** Where a daemon listens. `host` '' means every interface. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** Parses `host:port`, `:port` or `[::1]:port`; undefined when malformed. */
export function parseListen(text: string): ListenAddress | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  const host = m[1] ?? m[2] ?? '';
  return { host, port };
}

/** Formats a ListenAddress back to text (`[::1]:53`, `127.0.0.1:8500`, `:9999`). */
export function formatListen(address: ListenAddress): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `${host}:${address.port}`;
}
