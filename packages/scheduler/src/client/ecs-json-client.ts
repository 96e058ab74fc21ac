/**
 * A minimal signed AWS JSON 1.1 client for the scheduler's endpoint: ECS actions and berth's
 * agent actions (which the AWS SDK cannot send). Used by `berth rotate-secrets-key`, the
 * simulated agent, tests and benchmarks. Keep-alive sockets; SigV4 when credentials are given. Must never retry on its
 * own: callers decide (an agent retries reports, a benchmark counts failures).
 */
import { Agent, request } from 'node:http';
import { SchedulerError } from '../errors.js';
import { signSigV4, type AwsCredentials } from '../core/sigv4.js';

export interface EcsJsonClientOptions {
  /** `http://host:port` of the scheduler. */
  readonly endpoint: string;
  readonly credentials?: AwsCredentials | undefined;
  readonly region?: string;
  /** Concurrent sockets (default 64). */
  readonly maxSockets?: number;
  /** Per-request timeout in ms (default 90 s, longer than the longest poll). */
  readonly timeoutMs?: number;
}

/** An error answer: `status`, ECS `type` (`__type`) and message. */
export class EcsCallError extends SchedulerError {
  readonly status: number;
  readonly type: string;
  constructor(status: number, type: string, message: string) {
    super('BERTH_SCHEDULER_CALL', `${type}: ${message}`);
    this.status = status;
    this.type = type;
  }
}

/** Signed JSON calls to one scheduler. */
export class EcsJsonClient {
  readonly endpoint: URL;
  readonly #o: EcsJsonClientOptions;
  readonly #agent: Agent;

  constructor(options: EcsJsonClientOptions) {
    this.#o = options;
    this.endpoint = new URL(options.endpoint);
    this.#agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 64 });
  }

  /** An ECS action (`RunTask`, ...). */
  ecs<T = Record<string, unknown>>(
    action: string,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    return this.call<T>(`AmazonEC2ContainerServiceV20141113.${action}`, body, signal);
  }

  /** A berth agent action (`PollAssignments`). */
  agent<T = Record<string, unknown>>(
    action: string,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    return this.call<T>(`BerthAgentV1.${action}`, body, signal);
  }

  /** Any X-Amz-Target with a JSON body. */
  call<T>(target: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const text = JSON.stringify(body ?? {});
    const base: Record<string, string> = {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': target,
    };
    const headers = this.#o.credentials
      ? signSigV4({
          method: 'POST',
          host: this.endpoint.host,
          path: '/',
          headers: base,
          body: text,
          credentials: this.#o.credentials,
          region: this.#o.region ?? 'us-east-1',
          service: 'ecs',
        })
      : { ...base, host: this.endpoint.host };
    headers['content-length'] = String(Buffer.byteLength(text));
    return new Promise<T>((resolve, reject) => {
      const req = request(
        this.endpoint,
        {
          method: 'POST',
          path: '/',
          headers,
          agent: this.#agent,
          timeout: this.#o.timeoutMs ?? 90_000,
          ...(signal ? { signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const raw = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = raw ? JSON.parse(raw) : {};
            } catch {
              parsed = { __type: 'InvalidResponse', message: raw.slice(0, 200) };
            }
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve(parsed as T);
            else {
              const p = parsed as { __type?: string; message?: string };
              reject(
                new EcsCallError(status, p.__type ?? 'Unknown', p.message ?? raw.slice(0, 200)),
              );
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end(text);
    });
  }

  /** Frees the keep-alive sockets. */
  close(): void {
    this.#agent.destroy();
  }
}
