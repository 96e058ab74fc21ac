/**
 * `berth compose up|scale|down|ps` from a docker-compose.yml, as ecs-cli compose did: each
 * compose service becomes a task definition (`<project>-<service>`) and an ECS service; `up`
 * creates or updates them and waits (bounded) until they run; `scale` changes desired counts;
 * `down` deletes the services (their tasks stop).
 */

import { sleep } from '@berth/daemon';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  type ECSClient,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { parse } from 'yaml';
import type { Env } from '../commands.js';
import { composeToEcs, type ComposePlan } from '../compose/compose-to-ecs.js';
import { isUnknownOperation } from '../dev/demo.js';
import { CliError, ComposeError } from '../errors.js';
import { runVerb, type Verb, type VerbIo } from '../verbs/run-verb.js';
import { renderTable } from '../verbs/table.js';
import { positiveInt } from '../verbs/verb-args.js';

const usage = `Usage: berth compose [-f FILE] [-p PROJECT] <command>
  up                     register task definitions, create or update services, wait until running
  scale N | SVC=N ...    set desired counts (all services, or the ones named)
  down                   delete the services (their tasks stop)
  ps                     the project's services
  -f, --file FILE        compose file (default docker-compose.yml)
  -p, --project NAME     project name (default: the file's folder name)
  --timeout S            how long up/scale wait (default 120)`;

async function loadPlan(file: string, project: string | undefined): Promise<ComposePlan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ComposeError(`cannot read ${file}`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new ComposeError(`${file}: ${(err as Error).message}`);
  }
  const name =
    project ??
    (typeof (doc as { name?: unknown })?.name === 'string'
      ? (doc as { name: string }).name
      : undefined) ??
    basename(dirname(resolve(file))).replace(/[^a-zA-Z0-9_-]/g, '');
  return composeToEcs(doc, name || 'compose');
}

function servicesMissing(err: unknown): never {
  if (isUnknownOperation(err)) {
    throw new CliError(
      'NO_SERVICES',
      'this scheduler has no ECS services yet (CreateService is unknown); berth compose needs them',
    );
  }
  throw err;
}

async function waitServices(
  ecs: ECSClient,
  cluster: string,
  names: readonly string[],
  timeoutMs: number,
  io: VerbIo,
  quiet: boolean,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (names.length) {
    const res = await ecs.send(new DescribeServicesCommand({ cluster, services: [...names] }));
    const services = res.services ?? [];
    const line = services
      .map((s) => `${s.serviceName} ${s.runningCount ?? 0}/${s.desiredCount ?? 0}`)
      .join(', ');
    if (line !== last && !quiet) io.err(`  ${line}\n`);
    last = line;
    const active = services.filter((s) => s.status !== 'INACTIVE');
    if (
      active.every(
        (s) => (s.runningCount ?? 0) === (s.desiredCount ?? 0) && (s.deployments?.length ?? 1) <= 1,
      )
    )
      return true;
    if (Date.now() >= deadline) return false;
    await sleep(500);
  }
  return true;
}

const verb: Verb = {
  name: 'compose',
  usage,
  options: {
    file: { type: 'string', short: 'f' },
    project: { type: 'string', short: 'p' },
    timeout: { type: 'string' },
  },
  body: async (args, { ecs, cluster }, io) => {
    const [action, ...rest] = args.positionals;
    const file = typeof args.values.file === 'string' ? args.values.file : 'docker-compose.yml';
    const project = typeof args.values.project === 'string' ? args.values.project : undefined;
    const timeout = positiveInt(args.values.timeout, '--timeout', 120) * 1000;
    const plan = await loadPlan(file, project);
    if (!args.json) for (const w of plan.warnings) io.err(`warning: ${w}\n`);
    const names = plan.services.map((s) => s.name);
    switch (action) {
      case 'up': {
        for (const svc of plan.services) {
          const td = await ecs.send(new RegisterTaskDefinitionCommand(svc.taskDefinition));
          const taskDefinition = td.taskDefinition?.taskDefinitionArn ?? svc.family;
          const existing = await ecs
            .send(new DescribeServicesCommand({ cluster, services: [svc.name] }))
            .catch(servicesMissing);
          const active = existing.services?.find((s) => s.status === 'ACTIVE');
          if (active) {
            await ecs.send(
              new UpdateServiceCommand({
                cluster,
                service: svc.name,
                taskDefinition,
                desiredCount: svc.desiredCount,
              }),
            );
            if (!args.json)
              io.err(
                `updated ${svc.name} -> ${taskDefinition.split('/').pop()} x${svc.desiredCount}\n`,
              );
          } else {
            await ecs
              .send(
                new CreateServiceCommand({
                  cluster,
                  serviceName: svc.name,
                  taskDefinition,
                  desiredCount: svc.desiredCount,
                }),
              )
              .catch(servicesMissing);
            if (!args.json)
              io.err(
                `created ${svc.name} (${taskDefinition.split('/').pop()}) x${svc.desiredCount}\n`,
              );
          }
        }
        const ok = await waitServices(ecs, cluster, names, timeout, io, args.json);
        if (args.json)
          io.out(`${JSON.stringify({ project: plan.project, services: names, running: ok })}\n`);
        else if (!ok)
          io.err(`not every service reached its desired count within ${timeout / 1000} s\n`);
        return ok ? 0 : 1;
      }
      case 'scale': {
        if (!rest.length) throw new CliError('BAD_ARGS', usage);
        const counts = new Map<string, number>();
        for (const arg of rest) {
          const [svcName, n] = arg.includes('=') ? arg.split('=', 2) : [undefined, arg];
          const count = positiveInt(n, 'scale', 0);
          const targets = svcName === undefined ? names : [`${plan.project}-${svcName}`];
          for (const t of targets) {
            if (!names.includes(t))
              throw new CliError('BAD_ARGS', `no service ${svcName} in ${file}`);
            counts.set(t, count);
          }
        }
        for (const [service, desiredCount] of counts) {
          await ecs
            .send(new UpdateServiceCommand({ cluster, service, desiredCount }))
            .catch(servicesMissing);
          if (!args.json) io.err(`scaled ${service} to ${desiredCount}\n`);
        }
        const ok = await waitServices(ecs, cluster, [...counts.keys()], timeout, io, args.json);
        if (args.json)
          io.out(`${JSON.stringify({ scaled: Object.fromEntries(counts), running: ok })}\n`);
        return ok ? 0 : 1;
      }
      case 'down': {
        for (const service of names) {
          try {
            await ecs.send(new DeleteServiceCommand({ cluster, service, force: true }));
            if (!args.json) io.err(`deleted ${service}\n`);
          } catch (err) {
            if (isUnknownOperation(err)) servicesMissing(err);
            if (!/ServiceNotFound|ServiceNotActive/.test((err as Error).name)) throw err;
          }
        }
        if (args.json) io.out(`${JSON.stringify({ deleted: names })}\n`);
        return 0;
      }
      case 'ps': {
        const res = await ecs
          .send(new DescribeServicesCommand({ cluster, services: names }))
          .catch(servicesMissing);
        const rows = (res.services ?? []).map((s) => ({
          name: s.serviceName ?? '',
          status: s.status ?? '',
          desired: s.desiredCount ?? 0,
          running: s.runningCount ?? 0,
          taskDefinition: (s.taskDefinition ?? '').split('/').pop() ?? '',
        }));
        if (args.json) io.out(`${JSON.stringify(rows, null, 2)}\n`);
        else
          io.out(
            renderTable(
              ['SERVICE', 'STATUS', 'DESIRED', 'RUNNING', 'TASK DEFINITION'],
              rows.map((r) => [
                r.name,
                r.status,
                String(r.desired),
                String(r.running),
                r.taskDefinition,
              ]),
            ),
          );
        return 0;
      }
      default:
        throw new CliError('BAD_ARGS', usage);
    }
  },
};

export function run(argv: readonly string[], env: Env): Promise<number> {
  return runVerb(verb, argv, env);
}
