/**
 * A tiny upstream resolver for forwarding tests, built on dns2 (its UDP server sets TC and
 * drops the records when an answer exceeds 512 bytes / the EDNS size; its TCP server sends
 * everything). UDP and TCP share one port on 127.0.0.1, like a real recursor. Test-only.
 */
import dns2 from 'dns2';
import type { AddressInfo } from 'node:net';

const { Packet } = dns2;

export interface TestResolver {
  readonly address: string;
  readonly udpQueries: string[];
  readonly tcpQueries: string[];
  close(): Promise<void>;
}

/** Answers `name` with its A records; other names NXDOMAIN; `servfail` answers SERVFAIL to all. */
export async function startTestResolver(
  records: Record<string, string[]>,
  opts: { servfail?: boolean } = {},
): Promise<TestResolver> {
  const udpQueries: string[] = [];
  const tcpQueries: string[] = [];
  const handler =
    (log: string[]) =>
    (request: dns2.Packet, send: (p: dns2.Packet) => void): void => {
      const response = Packet.createResponseFromRequest(request);
      const q = request.questions[0];
      const name = (q?.name ?? '').toLowerCase();
      log.push(name);
      if (opts.servfail)
        response.header.rcode = 2; // SERVFAIL
      else if (!records[name]) response.header.rcode = 3; // NXDOMAIN
      for (const address of records[name] ?? []) {
        if (!q) break;
        response.answers.push(
          Packet.createResourceFromQuestion(q, {
            type: Packet.TYPE.A,
            class: Packet.CLASS.IN,
            ttl: 60,
            address,
          }),
        );
      }
      response.header.ra = 1;
      send(response);
    };
  // UDP picks the port; TCP must get the same one, which another process may hold: retry.
  for (let attempt = 1; ; attempt++) {
    const udp = dns2.createUDPServer(handler(udpQueries));
    await udp.listen(0, '127.0.0.1');
    const port = (udp.address() as AddressInfo).port;
    const tcp = dns2.createTCPServer(handler(tcpQueries));
    const bound = await new Promise<boolean>((resolve, reject) => {
      tcp.once('error', (e: NodeJS.ErrnoException) =>
        e.code === 'EADDRINUSE' && attempt < 8 ? resolve(false) : reject(e),
      );
      tcp.listen(port, '127.0.0.1');
      tcp.once('listening', () => resolve(true));
    });
    if (!bound) {
      await new Promise<void>((r) => udp.close(() => r()));
      continue;
    }
    return {
      address: `127.0.0.1:${port}`,
      udpQueries,
      tcpQueries,
      close: async () => {
        await new Promise<void>((r) => udp.close(() => r()));
        await new Promise<void>((r) => tcp.close(() => r()));
      },
    };
  }
}
