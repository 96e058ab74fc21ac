/**
 * The introspection API on 127.0.0.1:51678 with the ECS agent's field names: `/v1/metadata`,
 * `/v1/tasks`, `/v1/tasks?taskarn=`, `/v1/tasks?dockerid=` (full or 12-character id; 400 with
 * both, 404 unknown, 400 when a short id is ambiguous), plus berth's
 * `/v1/tasks/<task id or ARN>/logs?container=NAME&tail=N`, `/health` and `/metrics`.
 * The response builders are pure; the server only routes. It must never change agent state.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AdminHandler, ListenAddress } from '@berth/daemon';
import type { ContainerView, TaskView } from '../engine.js';
import { taskIdOf } from '../core/labels.js';

/** ECS `/v1/metadata`. */
export interface MetadataResponse {
  readonly Cluster: string;
  readonly ContainerInstanceArn: string | null;
  readonly Version: string;
}

/** ECS v1 PortResponse. */
export interface PortResponse {
  readonly ContainerPort?: number;
  readonly Protocol?: string;
  readonly HostPort?: number;
  readonly HostIp?: string;
}

/** ECS v1 VolumeResponse. */
export interface VolumeResponse {
  readonly DockerName?: string;
  readonly Source?: string;
  readonly Destination?: string;
}

/** ECS v1 ContainerResponse (plus berth's `Health` when the container has a health check). */
export interface ContainerResponse {
  readonly DockerId: string;
  readonly DockerName: string;
  readonly Name: string;
  readonly Ports?: PortResponse[];
  readonly Volumes?: VolumeResponse[];
  readonly Health?: { readonly status: string; readonly statusSince?: string };
}

/** ECS v1 TaskResponse. */
export interface TaskResponse {
  readonly Arn: string;
  readonly DesiredStatus?: string;
  readonly KnownStatus: string;
  readonly Family: string;
  readonly Version: string;
  readonly Containers: ContainerResponse[] | null;
  /** berth: the task's image pull (issue 20). */
  readonly Pull?: {
    readonly Image: string;
    readonly Status: string;
    readonly Progress?: string;
    readonly Layers: { readonly Done: number; readonly Total: number };
    readonly DurationMs?: number;
  };
}

/** The ECS agent's Version string for berth. */
export function versionString(version: string): string {
  return `berth Agent - v${version} (berth)`;
}

function containerResponse(c: ContainerView): ContainerResponse {
  const ports = c.ports.map((p) => ({
    ContainerPort: p.containerPort,
    Protocol: p.protocol,
    ...(p.hostPort ? { HostPort: p.hostPort } : {}),
    ...(p.hostIp ? { HostIp: p.hostIp } : {}),
  }));
  const volumes = c.volumes.map((v) => ({
    ...(v.dockerName ? { DockerName: v.dockerName } : {}),
    ...(v.source ? { Source: v.source } : {}),
    ...(v.destination ? { Destination: v.destination } : {}),
  }));
  return {
    DockerId: c.dockerId ?? '',
    DockerName: c.dockerName,
    Name: c.name,
    ...(ports.length ? { Ports: ports } : {}),
    ...(volumes.length ? { Volumes: volumes } : {}),
    ...(c.health
      ? {
          Health: {
            status: c.health.toUpperCase(),
            ...(c.healthSince ? { statusSince: new Date(c.healthSince).toISOString() } : {}),
          },
        }
      : {}),
  };
}

function pullResponse(p: NonNullable<TaskView['pull']>): NonNullable<TaskResponse['Pull']> {
  return {
    Image: p.image,
    Status: p.status,
    ...(p.progress ? { Progress: p.progress } : {}),
    Layers: { Done: p.layers.done, Total: p.layers.total },
    ...(p.ms !== undefined ? { DurationMs: p.ms } : {}),
  };
}

/** One task as ECS's `/v1/tasks` shows it (DesiredStatus omitted where ECS omits it). */
export function taskResponse(t: TaskView): TaskResponse {
  const omitDesired =
    (t.knownStatus === 'STOPPED' && t.desiredStatus !== 'STOPPED') ||
    (t.knownStatus === 'RUNNING' && t.desiredStatus === 'PENDING');
  return {
    Arn: t.arn,
    ...(omitDesired ? {} : { DesiredStatus: t.desiredStatus }),
    KnownStatus: t.knownStatus,
    Family: t.family,
    Version: t.version,
    Containers: t.containers.filter((c) => c.dockerId !== undefined).map(containerResponse),
    ...(t.pull ? { Pull: pullResponse(t.pull) } : {}),
  };
}

/** ECS's body for an unknown task (an empty TaskResponse). */
export const EMPTY_TASK: TaskResponse = {
  Arn: '',
  KnownStatus: '',
  Family: '',
  Version: '',
  Containers: null,
};

/** The answer to a `/v1/tasks` query. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
}

/** Answers `/v1/tasks` with its query (taskarn / dockerid), as the ECS agent does. */
export function tasksAnswer(tasks: readonly TaskView[], query: URLSearchParams): Answer {
  const dockerId = query.get('dockerid');
  const taskArn = query.get('taskarn');
  if (dockerId !== null && taskArn !== null) return { status: 400, body: undefined };
  if (dockerId !== null) {
    const matches = tasks.filter((t) =>
      t.containers.some((c) =>
        c.dockerId === undefined
          ? false
          : dockerId.length > 12
            ? c.dockerId === dockerId
            : c.dockerId.startsWith(dockerId),
      ),
    );
    if (matches.length > 1) return { status: 400, body: undefined };
    const t = matches[0];
    return t ? { status: 200, body: taskResponse(t) } : { status: 404, body: EMPTY_TASK };
  }
  if (taskArn !== null) {
    const t = tasks.find((x) => x.arn === taskArn);
    return t ? { status: 200, body: taskResponse(t) } : { status: 404, body: EMPTY_TASK };
  }
  return { status: 200, body: { Tasks: tasks.map(taskResponse) } };
}

/** What the introspection server reads. */
export interface IntrospectionSource {
  readonly cluster: string;
  instanceArn(): string;
  readonly version: string;
  tasks(): TaskView[];
  logs(dockerId: string, tail: number): Promise<string>;
}

/** A running introspection server. */
export interface IntrospectionServer {
  readonly server: Server;
  readonly address: AddressInfo;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown, type = 'application/json'): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(text);
}

async function logsAnswer(
  source: IntrospectionSource,
  id: string,
  query: URLSearchParams,
): Promise<Answer> {
  const task = source.tasks().find((t) => t.arn === id || taskIdOf(t.arn) === id);
  if (!task) return { status: 404, body: `no task ${id}\n` };
  const name = query.get('container');
  const withIds = task.containers.filter((c) => c.dockerId !== undefined);
  const container =
    name === null
      ? withIds.length === 1
        ? withIds[0]
        : undefined
      : withIds.find((c) => c.name === name);
  if (!container) {
    return {
      status: name === null ? 400 : 404,
      body:
        name === null
          ? `the task has ${withIds.length} containers: name one with ?container= (${withIds.map((c) => c.name).join(', ')})\n`
          : `no container ${name} in task ${id}\n`,
    };
  }
  const tailText = query.get('tail') ?? '100';
  const tail = Number(tailText);
  if (!Number.isInteger(tail) || tail < 0 || tail > 10_000) {
    return { status: 400, body: `tail must be an integer from 0 to 10000, got ${tailText}\n` };
  }
  return { status: 200, body: await source.logs(container.dockerId as string, tail) };
}

/** Routes one request; `admin` answers /health and /metrics. */
export function introspectionHandler(
  source: IntrospectionSource,
  admin: AdminHandler,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (admin(req, res)) return;
    const url = new URL(req.url ?? '/', 'http://introspection');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, 405, `method ${req.method} not allowed\n`, 'text/plain; charset=utf-8');
    }
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path === '/v1/metadata') {
      const arn = source.instanceArn();
      return send(res, 200, {
        Cluster: source.cluster,
        ContainerInstanceArn: arn || null,
        Version: versionString(source.version),
      } satisfies MetadataResponse);
    }
    if (path === '/v1/tasks') {
      const a = tasksAnswer(source.tasks(), url.searchParams);
      return send(res, a.status, a.body);
    }
    const logs = /^\/v1\/tasks\/(.+)\/logs$/.exec(path);
    if (logs) {
      logsAnswer(source, decodeURIComponent(logs[1] as string), url.searchParams).then(
        (a) => send(res, a.status, a.body, 'text/plain; charset=utf-8'),
        (err: unknown) =>
          send(res, 500, `cannot read logs: ${String(err)}\n`, 'text/plain; charset=utf-8'),
      );
      return;
    }
    send(res, 404, `not found: ${path}\n`, 'text/plain; charset=utf-8');
  };
}

/** Starts the introspection server on `listen`. */
export async function startIntrospection(
  listen: ListenAddress,
  source: IntrospectionSource,
  admin: AdminHandler,
): Promise<IntrospectionServer> {
  const server = createServer(introspectionHandler(source, admin));
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host || '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    address: server.address() as AddressInfo,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
