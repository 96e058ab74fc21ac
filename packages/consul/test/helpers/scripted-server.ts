/**
 * A real HTTP server on 127.0.0.1:0 that answers from a script, for blocking-query protocol
 * edge cases a correct Consul never produces on demand (missing X-Consul-Index, index 0, an
 * index going backwards). Records every request it sees.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptStep {
  status?: number;
  /** X-Consul-Index to send; undefined sends no header. */
  index?: string | undefined;
  body?: unknown;
  /** Hold the answer this long (a blocking query). */
  delayMs?: number;
}

export interface ScriptedServer {
  url: string;
  requests: { path: string; query: URLSearchParams }[];
  close(): Promise<void>;
}

export async function scriptedServer(
  route: (req: IncomingMessage, n: number) => ScriptStep,
): Promise<ScriptedServer> {
  const requests: ScriptedServer['requests'] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://x');
    requests.push({ path: u.pathname, query: u.searchParams });
    const step = route(req, requests.length - 1);
    const send = (): void => {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (step.index !== undefined) headers['x-consul-index'] = step.index;
      res.writeHead(step.status ?? 200, headers);
      res.end(JSON.stringify(step.body ?? {}));
    };
    if (step.delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        send();
      }, step.delayMs);
      timers.add(timer);
    } else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
