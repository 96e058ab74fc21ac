/**
 * SchedulerClient over the scheduler's ECS endpoint: `POST /`, AWS JSON 1.1, every request
 * signed with Signature V4 (service `ecs`). ECS actions use the
 * `AmazonEC2ContainerServiceV20141113.` target prefix, berth's agent actions `BerthAgentV1.`.
 * It must never retry by itself (the caller decides) and never put credentials in errors.
 */

import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentials } from './aws-credentials.js';
import {
  type Assignments,
  BERTH_AGENT_TARGET_PREFIX,
  type ContainerReport,
  ECS_TARGET_PREFIX,
  type PollRequest,
  type Registration,
  type TaskStateChange,
  type TaskStatsReport,
  type RequestCountsAnswer,
  type RequestCountsReport,
  REPORT_REQUEST_COUNTS_ACTION,
} from '@berth/protocol';
import { AgentClosedError, SchedulerError } from '../errors.js';
import type { SchedulerClient } from './scheduler-client.js';
import type { TaskSecretsAnswer, TaskSecretsRequest } from '../task-secrets.js';

/** Options of HttpSchedulerClient. */
export interface HttpSchedulerClientOptions {
  /** The scheduler's base URL, e.g. `http://127.0.0.1:8700`. */
  readonly endpoint: string;
  readonly cluster: string;
  readonly region: string;
  /** Called for every request (so rotated credentials are picked up). */
  readonly credentials: () => Promise<AwsCredentials>;
  /** Timeout of a request other than a poll (ms, default 10000). */
  readonly timeoutMs?: number;
}

/** An ECS-shaped error answer is retryable when the server, not the request, is at fault. */
export function isRetryableError(status: number, type: string | undefined): boolean {
  if (status >= 500 || status === 429) return true;
  return type !== undefined && /Throttl|ServerException|ServiceUnavailable/.test(type);
}

/** The scheduler over HTTP. */
export class HttpSchedulerClient implements SchedulerClient {
  readonly #url: URL;
  readonly #cluster: string;
  readonly #credentials: () => Promise<AwsCredentials>;
  readonly #region: string;
  readonly #timeoutMs: number;

  constructor(options: HttpSchedulerClientOptions) {
    this.#url = new URL(options.endpoint);
    this.#cluster = options.cluster;
    this.#credentials = options.credentials;
    this.#region = options.region;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  async #call<T>(
    target: string,
    body: unknown,
    signal?: AbortSignal,
    timeoutMs?: number,
  ): Promise<T> {
    if (signal?.aborted) throw new AgentClosedError();
    const url = this.#url;
    const text = JSON.stringify(body);
    const path = url.pathname && url.pathname !== '' ? url.pathname : '/';
    const signer = new SignatureV4({
      credentials: await this.#credentials(),
      region: this.#region,
      service: 'ecs',
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path,
      query: {},
      headers: {
        host: url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': target,
      },
      body: text,
    });
    const timeout = AbortSignal.timeout(timeoutMs ?? this.#timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let res: Response;
    try {
      res = await fetch(new URL(path, url), {
        method: 'POST',
        headers: signed.headers,
        body: text,
        signal: combined,
      });
    } catch (err) {
      if (signal?.aborted) throw new AgentClosedError();
      const why =
        err instanceof Error
          ? err.cause instanceof Error
            ? err.cause.message
            : err.message
          : String(err);
      throw new SchedulerError(`scheduler unreachable at ${url.origin}: ${why}`, true, undefined, {
        cause: err,
      });
    }
    let raw: string;
    try {
      raw = await res.text();
    } catch (err) {
      if (signal?.aborted) throw new AgentClosedError();
      throw new SchedulerError(`scheduler answer cut short: ${String(err)}`, true, undefined, {
        cause: err,
      });
    }
    let json: unknown;
    try {
      json = raw ? JSON.parse(raw) : {};
    } catch {
      json = undefined;
    }
    if (res.ok && json !== undefined) return json as T;
    const e = (json ?? {}) as { __type?: string; message?: string; Message?: string };
    const type = e.__type?.split('#').pop();
    const message = e.message ?? e.Message ?? raw.slice(0, 200);
    throw new SchedulerError(
      `${target.split('.').pop()} failed: HTTP ${res.status}${type ? ` ${type}` : ''}: ${message}`,
      json === undefined ? true : isRetryableError(res.status, type),
      type,
    );
  }

  async register(
    registration: Registration,
    signal?: AbortSignal,
  ): Promise<{ containerInstanceArn: string }> {
    const out = await this.#call<{ containerInstance?: { containerInstanceArn?: string } }>(
      `${ECS_TARGET_PREFIX}RegisterContainerInstance`,
      { cluster: this.#cluster, ...registration },
      signal,
    );
    const arn = out.containerInstance?.containerInstanceArn;
    if (!arn) throw new SchedulerError('RegisterContainerInstance answered without an ARN', true);
    return { containerInstanceArn: arn };
  }

  async poll(request: PollRequest, signal?: AbortSignal): Promise<Assignments> {
    const out = await this.#call<Partial<Assignments>>(
      `${BERTH_AGENT_TARGET_PREFIX}PollAssignments`,
      { cluster: this.#cluster, ...request },
      signal,
      request.waitSeconds * 1000 + this.#timeoutMs,
    );
    if (typeof out.version !== 'number' || !Array.isArray(out.tasks)) {
      throw new SchedulerError('PollAssignments answered without version and tasks', true);
    }
    return { version: out.version, tasks: out.tasks };
  }

  async reportTask(change: TaskStateChange, signal?: AbortSignal): Promise<void> {
    await this.#call(
      `${ECS_TARGET_PREFIX}SubmitTaskStateChange`,
      { cluster: this.#cluster, ...change },
      signal,
    );
  }

  async reportContainer(change: ContainerReport, signal?: AbortSignal): Promise<void> {
    await this.#call(
      `${ECS_TARGET_PREFIX}SubmitContainerStateChange`,
      { cluster: this.#cluster, ...change },
      signal,
    );
  }

  async taskSecrets(request: TaskSecretsRequest, signal?: AbortSignal): Promise<TaskSecretsAnswer> {
    return this.#call<TaskSecretsAnswer>(
      `${BERTH_AGENT_TARGET_PREFIX}GetTaskSecrets`,
      { cluster: this.#cluster, ...request },
      signal,
    );
  }

  async reportTaskStats(report: TaskStatsReport, signal?: AbortSignal): Promise<void> {
    await this.#call(`${BERTH_AGENT_TARGET_PREFIX}ReportTaskStats`, report, signal);
  }

  reportRequestCounts(
    report: RequestCountsReport,
    signal?: AbortSignal,
  ): Promise<RequestCountsAnswer> {
    return this.#call(
      `${BERTH_AGENT_TARGET_PREFIX}${REPORT_REQUEST_COUNTS_ACTION}`,
      report,
      signal,
    );
  }

  async deregister(containerInstance: string, force: boolean, signal?: AbortSignal): Promise<void> {
    await this.#call(
      `${ECS_TARGET_PREFIX}DeregisterContainerInstance`,
      { cluster: this.#cluster, containerInstance, force },
      signal,
    );
  }
}
