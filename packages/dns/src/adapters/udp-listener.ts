/**
 * The UDP side of a listen address: binds a datagram socket and hands every packet to the
 * engine with a way to send the reply back. Must never decide anything about DNS: it moves
 * bytes, and it never throws from a socket callback.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { LookupOneOptions } from 'node:dns';
import { isIPv6 } from 'node:net';

/** A bound UDP socket. */
export interface UdpListener {
  readonly host: string;
  readonly port: number;
  /** Sends `reply` to the client at `address`:`port`. */
  send(reply: Buffer, port: number, address: string): void;
  close(): void;
}

/** Called for every datagram. */
export type UdpHandler = (msg: Buffer, port: number, address: string, from: UdpListener) => void;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

// Replies go to the literal address the query came from: skip dgram's default lookup, which
// defers every send by a tick even for an IP literal (and the family is the socket's own).
const literal4 = (address: string, _options: LookupOneOptions, cb: LookupCallback): void =>
  cb(null, address, 4);
const literal6 = (address: string, _options: LookupOneOptions, cb: LookupCallback): void =>
  cb(null, address, 6);

/**
 * Binds `host`:`port` (port 0 picks one). `exclusive: false` lets cluster workers share the
 * primary's socket.
 */
export function bindUdp(
  host: string,
  port: number,
  onMessage: UdpHandler,
  onError: (e: Error) => void,
  exclusive = true,
): Promise<UdpListener> {
  return new Promise((resolve, reject) => {
    // A large receive buffer rides out GC pauses without dropping queries (capped by the
    // kernel's net.core.rmem_max).
    const v6 = isIPv6(host);
    const sock: Socket = createSocket({
      type: v6 ? 'udp6' : 'udp4',
      recvBufferSize: 4 << 20,
      lookup: v6 ? literal6 : literal4,
    });
    sock.once('error', reject);
    sock.bind({ port, address: host || undefined, exclusive }, () => {
      sock.off('error', reject);
      sock.on('error', onError);
      const a = sock.address();
      const listener: UdpListener = {
        host: a.address,
        port: a.port,
        send: (reply, p, address) => sock.send(reply, p, address),
        close: () => sock.close(),
      };
      sock.on('message', (msg, rinfo) => onMessage(msg, rinfo.port, rinfo.address, listener));
      resolve(listener);
    });
  });
}
