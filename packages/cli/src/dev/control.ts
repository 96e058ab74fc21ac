/**
 * `berth dev`'s control endpoint, for end-to-end tests and people who want to see failover: a
 * tiny HTTP server on loopback that adds a simulated host, and stops, starts or restarts one
 * daemon by its log label (`agent@h2`, `catalog`, ...), and lists the daemons with their pids. It only calls what it is given; it never
 * touches Docker, the catalog or a process itself, and never listens beyond loopback.
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the control endpoint can do to a running `berth dev`. */
export interface DevControl {
  /** The simulated hosts, as written to dev.json. */
  hosts(): readonly unknown[];
  /** Every daemon `berth dev` supervises: label, pid, running, restarts. */
  daemons(): readonly unknown[];
  /** Starts one more simulated host (its four daemons); returns it as written to dev.json. */
  addHost(): Promise<unknown>;
  /** Stops one daemon; false when no daemon by that label runs. */
  stop(label: string): Promise<boolean>;
  /** Starts a stopped daemon again with its original flags; false when unknown or running. */
  start(label: string): Promise<boolean>;
}

/** A listening control endpoint. */
export interface ControlServer {
  /** `http://127.0.0.1:<port>`. */
  readonly address: string;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

async function handle(control: DevControl, req: IncomingMessage, res: ServerResponse) {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path === '/hosts' && req.method === 'GET') return send(res, 200, control.hosts());
  if (path === '/hosts' && req.method === 'POST') return send(res, 201, await control.addHost());
  if (path === '/daemons' && req.method === 'GET') return send(res, 200, control.daemons());
  const m = /^\/daemons\/([^/]+)\/(stop|start|restart)$/.exec(path);
  if (!m || req.method !== 'POST') return send(res, 404, { error: 'not found' });
  const label = decodeURIComponent(m[1]!);
  const verb = m[2]!;
  if (verb !== 'start' && !(await control.stop(label))) {
    return send(res, 404, { error: `no running daemon ${label}` });
  }
  if (verb !== 'stop' && !(await control.start(label))) {
    return send(res, 409, { error: `cannot start ${label}: unknown or already running` });
  }
  return send(res, 200, { [verb === 'stop' ? 'stopped' : 'started']: label });
}

/**
 * Serves the control endpoint on `host:port` (loopback only):
 * `GET /hosts`, `POST /hosts`, `GET /daemons`, `POST /daemons/<label>/stop|start|restart`.
 */
export async function startControlServer(
  listen: { readonly host: string; readonly port: number },
  control: DevControl,
): Promise<ControlServer> {
  if (!listen.host.startsWith('127.'))
    throw new RangeError('the control endpoint is loopback only');
  // One request at a time: adding a host while a daemon restarts would interleave their starts.
  let queue: Promise<unknown> = Promise.resolve();
  const server = createServer((req, res) => {
    queue = queue.then(() =>
      handle(control, req, res).catch((err: unknown) =>
        send(res, 500, { error: err instanceof Error ? err.message : String(err) }),
      ),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    address: `http://${listen.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
