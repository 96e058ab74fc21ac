// A recording HTTP proxy for the test fixtures: every client of a test stack (the SDK, the AWS
// CLI, berth's JSON client, simulated agents, other replicas forwarding) reaches the scheduler
// through it, and it keeps each 2xx answer to an ECS action, so the stack's teardown can check
// all of them against botocore's output shapes (test/botocore-model.ts). Streams (long polls,
// Server-Sent Events) pass through untouched. Test support only.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkOutput } from './botocore-model.js';

const ECS_PREFIX = 'AmazonEC2ContainerServiceV20141113.';

/** One ECS answer as it crossed the wire. */
export interface Recorded {
  readonly action: string;
  readonly status: number;
  readonly body: unknown;
}

/** The proxy; `target` may be set after start (the scheduler advertises the proxy's URL). */
export class ResponseRecorder {
  readonly url: string;
  target = '';
  readonly records: Recorded[] = [];
  readonly #server: http.Server;
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

  private constructor(server: http.Server) {
    this.#server = server;
    const a = server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${a.port}`;
  }

  static async start(): Promise<ResponseRecorder> {
    const holder: { rec?: ResponseRecorder } = {};
    const server = http.createServer((req, res) => holder.rec?.forward(req, res));
    server.requestTimeout = 0;
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.rec = new ResponseRecorder(server);
    return holder.rec;
  }

  forward(req: IncomingMessage, res: ServerResponse): void {
    const target = new URL(this.target);
    const amzTarget = String(req.headers['x-amz-target'] ?? '');
    const action = amzTarget.startsWith(ECS_PREFIX) ? amzTarget.slice(ECS_PREFIX.length) : '';
    const up = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent: this.#agent,
      },
      (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        const status = ur.statusCode ?? 0;
        const keep = action !== '' && status >= 200 && status < 300;
        const chunks: Buffer[] = [];
        ur.on('data', (c: Buffer) => {
          if (keep) chunks.push(c);
          res.write(c);
        });
        ur.on('end', () => {
          res.end();
          if (!keep) return;
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = { unparsable: text.slice(0, 200) };
          }
          this.records.push({ action, status, body });
        });
        ur.on('error', () => res.destroy());
      },
    );
    // An upstream that answers before reading the whole body (oversize) then closes: the
    // answer already relayed stands.
    up.on('error', () => {
      if (!res.headersSent) res.destroy();
    });
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    req.pipe(up);
  }

  /** Every fault of every recorded answer, with the action and how often it was seen. */
  faults(): string[] {
    const seen = new Map<string, number>();
    for (const r of this.records) {
      for (const f of checkOutput(r.action, r.body)) seen.set(f, (seen.get(f) ?? 0) + 1);
    }
    return [...seen].map(([f, n]) => (n > 1 ? `${f} (${n}×)` : f));
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#agent.destroy();
  }
}

/**
 * A recorder in front of `target` for tests that start schedulers themselves (processes,
 * restarts): the returned `close()` fails when any recorded answer breaks the shapes.
 */
export async function recordAnswers(target: string): Promise<{
  url: string;
  recorder: ResponseRecorder;
  close(): Promise<void>;
}> {
  const recorder = await ResponseRecorder.start();
  recorder.target = target;
  return {
    url: recorder.url,
    recorder,
    async close() {
      await recorder.close();
      const faults = recorder.faults();
      if (faults.length > 0) {
        throw new Error(
          `${faults.length} answers break botocore's ECS output shapes:\n  ${faults.join('\n  ')}`,
        );
      }
    },
  };
}
