/**
 * The host's own address, used for services published on every address when `--ip` is not
 * given: the first non-internal IPv4 address of the machine, else loopback. Reads the
 * interface list only; must never guess or hard-code an address.
 */

import { networkInterfaces } from 'node:os';

/** The first external IPv4 address of this machine, or 127.0.0.1 when it has none. */
export function defaultHostIp(
  interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces(),
): string {
  for (const name of Object.keys(interfaces).sort()) {
    for (const a of interfaces[name] ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  return '127.0.0.1';
}
