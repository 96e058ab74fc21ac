/**
 * One listen address: a UDP socket and a TCP server on the same port (with port 0, the port
 * UDP picked, retried when another process holds it for TCP). Must never decide anything
 * about DNS.
 */
import { TcpListener, type TcpHandler, type TcpSettings } from './tcp-listener.js';
import { bindUdp, type UdpHandler, type UdpListener } from './udp-listener.js';
import { DnsListenError } from '../errors.js';

/** The UDP and TCP listeners of one address. */
export interface ListenerPair {
  readonly udp: UdpListener;
  readonly tcp: TcpListener;
}

/** Binds UDP and TCP on `host`:`port`; `exclusive: false` shares them with cluster workers. */
export async function bindPair(
  host: string,
  port: number,
  onUdp: UdpHandler,
  onTcp: TcpHandler,
  tcpSettings: TcpSettings,
  exclusive = true,
): Promise<ListenerPair> {
  let lastError: unknown;
  for (let attempt = 0; attempt < (port === 0 ? 8 : 1); attempt++) {
    let udp: UdpListener;
    try {
      udp = await bindUdp(host, port, onUdp, tcpSettings.onError, exclusive);
    } catch (e) {
      lastError = e;
      continue;
    }
    try {
      const tcp = await TcpListener.listen(host, udp.port, tcpSettings, onTcp, exclusive);
      return { udp, tcp };
    } catch (e) {
      lastError = e;
      udp.close();
    }
  }
  throw new DnsListenError(`${host}:${port}`, lastError);
}
