// The memory scheduler served over HTTP as the agent protocol says: POST /, AWS JSON 1.1,
// X-Amz-Target, every request's Signature V4 checked by signing it again with the known
// credentials. Used where the agent must speak HTTP (the signed client's test, a child-process
// agent) until packages/scheduler is there; the end-to-end test uses the real scheduler.
// Listens on 127.0.0.1 only.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ContainerReport, PollRequest, Registration, TaskStateChange } from '@berth/protocol';
import { SchedulerError } from '../src/index.js';
import { type MemoryScheduler } from '../src/testing/index.js';

export const TEST_CREDENTIALS = {
  accessKeyId: 'AKIABERTHTEST',
  secretAccessKey: 'berth-test-secret',
};

export interface SchedulerServer {
  readonly url: string;
  readonly server: Server;
  /** Every request: target and whether its signature was valid. */
  readonly requests: { target: string; signed: boolean }[];
  close(): Promise<void>;
}

function ecsError(type: string, message: string): string {
  return JSON.stringify({ __type: type, message });
}

export async function serveScheduler(
  scheduler: MemoryScheduler,
  region = 'us-east-1',
): Promise<SchedulerServer> {
  const requests: { target: string; signed: boolean }[] = [];
  const signer = new SignatureV4({
    credentials: TEST_CREDENTIALS,
    region,
    service: 'ecs',
    sha256: Sha256,
  });
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const target = String(req.headers['x-amz-target'] ?? '');
        const auth = String(req.headers.authorization ?? '');
        const date = String(req.headers['x-amz-date'] ?? '');
        const signedHeaders = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? [];
        const headers: Record<string, string> = {};
        for (const h of signedHeaders) headers[h] = String(req.headers[h] ?? '');
        let signed: boolean;
        try {
          const again = await signer.sign(
            {
              method: 'POST',
              protocol: 'http:',
              hostname: '127.0.0.1',
              path: req.url ?? '/',
              query: {},
              headers,
              body,
            },
            {
              signingDate: new Date(
                `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 11)}:${date.slice(11, 13)}:${date.slice(13)}`,
              ),
            },
          );
          signed = auth !== '' && again.headers.authorization === auth;
        } catch {
          signed = false;
        }
        requests.push({ target, signed });
        const send = (status: number, text: string): void => {
          res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
          res.end(text);
        };
        if (!signed) return send(403, ecsError('UnrecognizedClientException', 'bad signature'));
        if (req.headers['content-type'] !== 'application/x-amz-json-1.1') {
          return send(400, ecsError('SerializationException', 'wrong content type'));
        }
        let input: Record<string, unknown>;
        try {
          input = JSON.parse(body) as Record<string, unknown>;
        } catch {
          return send(400, ecsError('SerializationException', 'bad JSON'));
        }
        if (input.cluster !== scheduler.cluster)
          return send(400, ecsError('ClusterNotFoundException', 'no such cluster'));
        const action = target.split('.').pop();
        try {
          switch (action) {
            case 'RegisterContainerInstance': {
              const { cluster: _c, ...registration } = input;
              const out = scheduler.register(registration as unknown as Registration);
              return send(
                200,
                JSON.stringify({
                  containerInstance: { ...out, status: 'ACTIVE', agentConnected: true },
                }),
              );
            }
            case 'PollAssignments': {
              const ac = new AbortController();
              res.on('close', () => ac.abort());
              const out = await scheduler.poll(input as unknown as PollRequest, ac.signal);
              return send(200, JSON.stringify(out));
            }
            case 'SubmitTaskStateChange':
              scheduler.reportTask(input as unknown as TaskStateChange);
              return send(200, JSON.stringify({ acknowledgment: 'ACK' }));
            case 'SubmitContainerStateChange':
              scheduler.reportContainer(input as unknown as ContainerReport);
              return send(200, JSON.stringify({ acknowledgment: 'ACK' }));
            case 'DeregisterContainerInstance':
              scheduler.deregister(String(input.containerInstance));
              return send(200, JSON.stringify({ containerInstance: {} }));
            default:
              return send(400, ecsError('InvalidAction', `unknown target ${target}`));
          }
        } catch (err) {
          if (err instanceof SchedulerError) {
            return err.retryable
              ? send(503, ecsError('ServerException', err.message))
              : send(400, ecsError('ClientException', err.message));
          }
          return send(500, ecsError('ServerException', String(err)));
        }
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
