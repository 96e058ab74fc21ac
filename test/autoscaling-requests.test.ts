/**
 * Issue 21 end to end, requests per task: `berth dev` (every daemon its own process, real
 * Docker), a service at min 1 / max 4 with an `ALBRequestCountPerTarget` target of 600
 * requests per target per minute, set with the real `aws application-autoscaling` CLI. A local
 * load generator sends about 40 requests a second through the router (2400 a minute: 4 tasks'
 * worth); the router counts them per task container and reports them to the scheduler, which
 * scales out to 4 tasks that all answer through the router; with the load stopped it scales
 * back in to 1, and `describe-scaling-activities` shows each step with the metric in its
 * cause. Bounded: the load stops itself after 4800 requests or 120 s, about 2-3 minutes in all.
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { eventually } from '@berth/daemon/testing';
import { AWS } from './helpers/aws-cli.js';
import { requireDocker } from './helpers/docker.js';
import { startDev } from './helpers/berth-dev.js';
import { aas, type Json, serviceCounts, trackTarget } from './helpers/autoscaling.js';
import { containers, ecsFor, helloTaskDef, hits } from './helpers/e2e.js';

/**
 * GETs `url` at about `perSecond` (4 loops, each pacing itself) until stop(), `maxRequests`
 * or `maxMs`, whichever comes first. Loopback only.
 */
function load(url: string, perSecond: number, maxRequests: number, maxMs: number) {
  const stop = new AbortController();
  const deadline = Date.now() + maxMs;
  let sent = 0;
  let ok = 0;
  const loops = 4;
  const gapMs = (1000 * loops) / perSecond;
  const one = async (): Promise<void> => {
    while (!stop.signal.aborted && sent < maxRequests && Date.now() < deadline) {
      const at = Date.now();
      sent++;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        if (res.status === 200) ok++;
      } catch {
        // counted as sent, not ok
      }
      const wait = gapMs - (Date.now() - at);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  };
  const done = Promise.all(Array.from({ length: loops }, one));
  return {
    stop: async () => {
      stop.abort();
      await done;
      return { sent, ok };
    },
  };
}

t.test('issue 21: requests per target (through the router) scale out and back in', async (t) => {
  const docker = await requireDocker(t);
  if (!docker) return;
  if (!existsSync(AWS)) {
    const why = `${AWS} is missing: apt-get install -y awscli (scripts/setup installs it)`;
    if (process.env.CI === 'true') t.fail(why);
    else t.plan(0, why);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'berth-autoscale-req-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const dev = await startDev(t, []);
  const ecs = await ecsFor(t, dev);
  await ecs.send(new RegisterTaskDefinitionCommand(helloTaskDef()));
  await ecs.send(
    new CreateServiceCommand({ serviceName: 'hello', taskDefinition: 'hello', desiredCount: 1 }),
  );
  t.teardown(async () => {
    await ecs.send(new DeleteServiceCommand({ service: 'hello', force: true })).catch(() => {});
  });
  await trackTarget(
    dev,
    dir,
    'hello',
    { min: 1, max: 4 },
    {
      policyName: 'req600',
      metric: 'ALBRequestCountPerTarget',
      targetValue: 600,
      scaleOutCooldown: 10,
      scaleInCooldown: 5,
    },
  );
  const router = `${dev.info.hosts[0]!.router}/hello`;
  await eventually(
    'one task serves through the router',
    async () => containers(await hits(router, 3)).length === 1,
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  const perTarget = async (): Promise<string> => {
    const m = await (await fetch(`${dev.info.endpoint}/metrics`)).text().catch(() => '');
    return m
      .split('\n')
      .filter((l) => /requests_per_target|autoscaling_desired|ReportRequestCounts/.test(l))
      .join('\n');
  };

  const t0 = Date.now();
  const gen = load(router, 40, 4800, 120_000);
  let stopped: { sent: number; ok: number } | undefined;
  t.teardown(async () => {
    stopped ??= await gen.stop();
  });
  await eventually(
    'scaled out to 4',
    async () => (await serviceCounts(ecs, 'hello')).desired === 4,
    {
      timeoutMs: 90_000,
      intervalMs: 500,
    },
  ).catch(async (e: unknown) => {
    t.comment(await perTarget());
    t.comment(
      dev
        .output()
        .split('\n')
        .filter((l) => /report|scaling|warn/i.test(l))
        .slice(-30)
        .join('\n'),
    );
    throw e;
  });
  const scaledAt = Date.now();
  await eventually(
    '4 tasks serve through the router',
    async () => containers(await hits(router, 16)).length === 4,
    { timeoutMs: 90_000, intervalMs: 500 },
  );
  const servingAt = Date.now();
  t.match(
    await perTarget(),
    /berth_scheduler_service_requests_per_target\{service="default\/hello"/,
  );
  stopped = await gen.stop();
  t.comment(
    `load step → desired 4: ${((scaledAt - t0) / 1000).toFixed(1)} s; ` +
      `→ 4 tasks serving through the router: ${((servingAt - t0) / 1000).toFixed(1)} s; ` +
      `load: ${stopped.sent} requests, ${stopped.ok} answered 200`,
  );
  t.ok(stopped.ok > 0.9 * stopped.sent, 'the load was served while scaling');

  await eventually(
    'scaled back in to 1',
    async () => (await serviceCounts(ecs, 'hello')).desired === 1,
    {
      timeoutMs: 120_000,
      intervalMs: 1000,
    },
  );
  await eventually('1 task runs', async () => (await serviceCounts(ecs, 'hello')).running === 1, {
    timeoutMs: 60_000,
    intervalMs: 1000,
  });
  const acts = await aas(dev, dir, [
    'describe-scaling-activities',
    '--service-namespace',
    'ecs',
    '--resource-id',
    'service/default/hello',
  ]);
  const steps = (acts.ScalingActivities as Json[]).reverse();
  t.comment(steps.map((a: Json) => `${a.Description} ${a.Cause}`).join('\n'));
  t.ok(
    steps.some((a: Json) => a.Description === 'Setting desired count to 4.'),
    'a step out to the maximum',
  );
  t.match(steps[0].Cause, /AlarmHigh/, 'first step: out');
  t.equal(steps.at(-1).Description, 'Setting desired count to 1.', 'last step: in to the minimum');
  for (const a of steps) {
    t.equal(a.StatusCode, 'Successful');
    t.match(a.Cause, /TargetTracking-req600-Alarm(High|Low).*ALBRequestCountPerTarget/);
  }
});
