/**
 * Issue 21 end to end: `berth dev` (every daemon its own process, real Docker), a service at
 * min 1 / max 4 with a CPU target set with the real `aws application-autoscaling` CLI. The
 * tasks burn CPU while a flag file exists on a host volume (the test image plus a shell loop),
 * the agents' Docker stats carry it to the scheduler, which scales out to 4 tasks that serve
 * through the router; with the flag gone it scales back in to 1, and
 * `describe-scaling-activities` shows both steps. Bounded: about 2-3 minutes; the CPU loops
 * stop when the flag goes or the tasks stop.
 */
import t from 'tap';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
import { containers, ecsFor, hits } from './helpers/e2e.js';

t.test('issue 21: CPU target tracking scales a service out and back in', async (t) => {
  const docker = await requireDocker(t);
  if (!docker) return;
  if (!existsSync(AWS)) {
    const why = `${AWS} is missing: apt-get install -y awscli (scripts/setup installs it)`;
    if (process.env.CI === 'true') t.fail(why);
    else t.plan(0, why);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'berth-autoscale-'));
  const flag = join(dir, 'busy');
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const dev = await startDev(t, []);
  const ecs = await ecsFor(t, dev);
  // The loop burns what CPU it gets while /ctl/busy exists; the task reserves 1/16 of a core.
  const burn =
    '/usr/local/bin/berth-httpd & while :; do if [ -f /ctl/busy ]; then i=0; ' +
    'while [ $i -lt 50000 ]; do i=$((i+1)); done; else sleep 1; fi; done';
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'burn',
      volumes: [{ name: 'ctl', host: { sourcePath: dir } }],
      containerDefinitions: [
        {
          name: 'burn',
          image: 'berth/busybox:test',
          cpu: 64,
          memory: 64,
          command: ['sh', '-c', burn],
          mountPoints: [{ sourceVolume: 'ctl', containerPath: '/ctl', readOnly: true }],
          portMappings: [{ containerPort: 8080, hostPort: 0 }],
          environment: [
            { name: 'SERVICE_NAME', value: 'burn' },
            { name: 'SERVICE_TAGS', value: 'urlprefix-/burn' },
            { name: 'SERVICE_CHECK_HTTP', value: '/health' },
            { name: 'SERVICE_CHECK_INTERVAL', value: '1s' },
          ],
        },
      ],
    }),
  );
  await ecs.send(
    new CreateServiceCommand({ serviceName: 'burn', taskDefinition: 'burn', desiredCount: 1 }),
  );
  t.teardown(async () => {
    await rm(flag, { force: true });
    await ecs.send(new DeleteServiceCommand({ service: 'burn', force: true })).catch(() => {});
  });
  await trackTarget(
    dev,
    dir,
    'burn',
    { min: 1, max: 4 },
    {
      policyName: 'cpu50',
      metric: 'ECSServiceAverageCPUUtilization',
      targetValue: 50,
      scaleOutCooldown: 10,
      scaleInCooldown: 15,
    },
  );
  const router = `${dev.info.hosts[0]!.router}/burn`;
  await eventually(
    'one task serves through the router',
    async () => {
      return containers(await hits(router, 3)).length === 1;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );

  const t0 = Date.now();
  await writeFile(flag, '1');
  await eventually(
    'scaled out to 4',
    async () => (await serviceCounts(ecs, 'burn')).desired === 4,
    {
      timeoutMs: 90_000,
      intervalMs: 500,
    },
  ).catch(async (e: unknown) => {
    const m = await (await fetch(`${dev.info.endpoint}/metrics`)).text().catch(() => '');
    t.comment(
      m
        .split('\n')
        .filter((l) => /ReportTaskStats|service_|autoscaling/.test(l))
        .join('\n'),
    );
    t.comment(
      dev
        .output()
        .split('\n')
        .filter((l) => /stats|scaling|warn/i.test(l))
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
  t.comment(
    `load step → desired 4: ${((scaledAt - t0) / 1000).toFixed(1)} s; ` +
      `→ 4 tasks serving through the router: ${((servingAt - t0) / 1000).toFixed(1)} s`,
  );

  await rm(flag, { force: true });
  await eventually(
    'scaled back in to 1',
    async () => (await serviceCounts(ecs, 'burn')).desired === 1,
    {
      timeoutMs: 120_000,
      intervalMs: 1000,
    },
  );
  await eventually('1 task runs', async () => (await serviceCounts(ecs, 'burn')).running === 1, {
    timeoutMs: 60_000,
    intervalMs: 1000,
  });
  const acts = await aas(dev, dir, [
    'describe-scaling-activities',
    '--service-namespace',
    'ecs',
    '--resource-id',
    'service/default/burn',
  ]);
  const steps = (acts.ScalingActivities as Json[]).map((a) => a.Description).reverse();
  t.equal(steps[0], 'Setting desired count to 4.', 'first step: out to the maximum');
  t.equal(steps.at(-1), 'Setting desired count to 1.', 'last step: back in to the minimum');
  for (const a of acts.ScalingActivities as Json[]) {
    t.equal(a.StatusCode, 'Successful');
    t.match(a.Cause, /TargetTracking-cpu50-Alarm(High|Low).*ECSServiceAverageCPUUtilization/);
  }
});
