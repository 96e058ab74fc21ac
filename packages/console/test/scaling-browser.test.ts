/**
 * Issue 21 in the console, in a real browser (Debian's chromium driven by playwright-core)
 * against a real scheduler and catalog on loopback with a simulated agent (no Docker): a
 * service's auto scaling section registers the service (min / max from the form), refuses a
 * minimum above the maximum with the API's ValidationException in the dialog, refuses a bad
 * policy name the same way, adds a CPU target-tracking policy, shows a scheduled action with
 * its next run, the utilisation the agent reports (now, and the minutes as a chart and a
 * table), the scaling activity the scaler records when CPU runs over the target, and deletes
 * the policy; axe finds no violation in the section nor on the page (light, dark, 390 px).
 */
import t, { type Test } from 'tap';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { PutScheduledActionCommand } from '@aws-sdk/client-application-auto-scaling';
import { startCatalog } from '@berth/catalog';
import { adminHandler, createRegistry, Health, sleep } from '@berth/daemon';
import { eventually } from '@berth/daemon/testing';
import { EcsJsonClient, startScheduler } from '@berth/scheduler';
import { SimulatedAgent } from '@berth/scheduler/testing';
import { ScalingApi } from '../src/adapters/scaling-api.js';
import { startConsole } from '../src/daemon/start.js';
import { axeScan, haveChromium, launch, screenshotDir } from './helpers/browser.js';

const BUNDLE = fileURLToPath(new URL('../scripts/bundle.mjs', import.meta.url));
const WEB = fileURLToPath(new URL('../dist/web', import.meta.url));
const STEP_MS = 30_000;
const KEYS = {
  accessKeyId: 'AKIDCONSOLESCALE01',
  secretAccessKey: 'console/scaling/secret+key0000001',
};

t.setTimeout(240_000);

function until(page: Page, what: string, expression: string): Promise<unknown> {
  return eventually(what, () => page.evaluate(expression), {
    timeoutMs: STEP_MS,
    intervalMs: 200,
  });
}

async function scanned(t: Test, page: Page, what: string): Promise<void> {
  const section = 'section[aria-labelledby="autoscaling-h"]';
  const inSection = await axeScan(page, section);
  for (const v of inSection)
    t.comment(`axe ${what}: ${v.impact} ${v.id} (${v.help}) at ${v.targets.join(' ')}`);
  t.same(inSection, [], `axe: no violation in the auto scaling section (${what})`);
  const whole = await axeScan(page);
  for (const v of whole)
    t.comment(`axe ${what} (page): ${v.impact} ${v.id} (${v.help}) at ${v.targets.join(' ')}`);
  t.same(whole, [], `axe: no violation on the whole page (${what})`);
}

t.test('the auto scaling section in chromium', async (t) => {
  if (!(await haveChromium())) {
    if (process.env.CI === 'true') t.fail('chromium is required in CI (scripts/setup installs it)');
    else t.plan(0, 'no /usr/bin/chromium: apt-get install -y chromium');
    return;
  }
  await promisify(execFile)(process.execPath, [BUNDLE], { timeout: 60_000 });
  const dir = await mkdtemp(join(tmpdir(), 'berth-console-scaling-'));
  const credentials = join(dir, 'credentials');
  await writeFile(
    credentials,
    `[default]\naws_access_key_id = ${KEYS.accessKeyId}\naws_secret_access_key = ${KEYS.secretAccessKey}\n`,
  );
  const catalog = await startCatalog({ listen: '127.0.0.1:0', sessionTtlMultiplier: 1 });
  const scheduler = await startScheduler({
    consul: catalog.url,
    listen: '127.0.0.1:0',
    credentials,
    serviceIntervalMs: 200,
    scalingInterval: 500,
    discoveryDrain: 0,
  });
  const running = await startConsole({
    scheduler: scheduler.url,
    region: 'us-east-1',
    consul: catalog.url,
    listen: { host: '127.0.0.1', port: 0 },
    agentPort: 1,
    routerPort: 0,
    routers: [],
    dns: '',
    domain: 'consul',
    sessionIdleMs: 600_000,
    maxSessions: 10,
    sampleIntervalMs: 60_000,
    catalogWaitMs: 1000,
    secureCookies: false,
    webDir: WEB,
    admin: adminHandler({ health: new Health(), registry: createRegistry('console', false) }),
  });
  const agent = new SimulatedAgent({
    endpoint: scheduler.url,
    credentials: KEYS,
    waitSeconds: 2,
  });
  const json = new EcsJsonClient({ endpoint: scheduler.url, credentials: KEYS });
  const load = new AbortController();
  t.teardown(async () => {
    load.abort();
    await agent.stop();
    await running.close();
    await scheduler.close();
    await catalog.close();
    await rm(dir, { recursive: true, force: true });
  });
  await eventually('the scheduler leads', () => scheduler.replica.isLeader, { timeoutMs: 10_000 });
  await agent.register();
  agent.start();
  await json.ecs('CreateCluster', { clusterName: 'default' });
  await json.ecs('RegisterTaskDefinition', {
    family: 'web',
    containerDefinitions: [{ name: 'web', image: 'berth/busybox:test', cpu: 256, memory: 128 }],
  });
  await json.ecs('CreateService', { serviceName: 'web', taskDefinition: 'web', desiredCount: 1 });

  // The agent's stats: every task at `cpu` CPU units of its 256 (bounded in count and time).
  let cpu = 64;
  const reports = (async () => {
    const stop = Date.now() + 200_000;
    for (let i = 0; i < 1000 && Date.now() < stop && !load.signal.aborted; i++) {
      const tasks = [...agent.tasks.keys()].map((taskArn) => ({
        taskArn,
        cpuUnits: cpu,
        memoryMiB: 48,
      }));
      await json
        .agent('ReportTaskStats', { cluster: 'default', containerInstance: agent.arn, tasks })
        .catch(() => undefined);
      await sleep(500, load.signal);
    }
  })();
  t.teardown(async () => {
    load.abort();
    await reports;
  });

  const shots = await screenshotDir();
  t.comment(`screenshots in ${shots}`);
  const browser = await launch();
  t.teardown(() => browser.close());
  const page = await browser.context.newPage();
  page.setDefaultTimeout(STEP_MS);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const section = page.locator('section[aria-labelledby="autoscaling-h"]');
  const dialog = page.getByRole('dialog');

  await t.test('sign in; the service is not registered yet; utilisation shows', async (t) => {
    await page.goto(`${running.url}/c/default/services/web`);
    await page.getByLabel('Access key ID').fill(KEYS.accessKeyId);
    await page.getByLabel('Secret access key').fill(KEYS.secretAccessKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await section.getByText('Not registered for auto scaling').waitFor();
    // 64 of 256 CPU units, 48 of 128 MiB.
    await section.getByTestId('utilisation-now').filter({ hasText: 'CPU 25 %' }).waitFor();
    const now = await section.getByTestId('utilisation-now').innerText();
    t.match(now, /memory 37\.5 %/);
    t.match(now, /of 256 CPU units/);
    t.match(now, /of 128 MiB/);
    t.ok(
      await section
        .getByRole('img', { name: /CPU 25 % and memory 37.5 % of the reservation/ })
        .count(),
      'the chart’s text alternative says the figures',
    );
    await section.getByText(/The last (minute|\d+ minutes) as a table/).click();
    t.equal(
      await section.getByRole('region', { name: 'Utilisation per minute (table)' }).count(),
      1,
      'the minutes as a table',
    );
  });

  await t.test('register with min / max; a minimum above the maximum is refused', async (t) => {
    await section.getByLabel('Minimum tasks').fill('1');
    await section.getByLabel('Maximum tasks').fill('3');
    await section.getByRole('button', { name: 'Register for auto scaling…' }).click();
    t.match(
      await dialog.innerText(),
      /Register service web \(cluster default\) for auto scaling with min 1 and max 3/,
    );
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await section.getByTestId('scalable-target').filter({ hasText: 'not suspended' }).waitFor();
    t.match(await section.getByTestId('scalable-target').innerText(), /min 1\s+max 3\s+desired 1/);
    await section.getByLabel('Minimum tasks').fill('5');
    await section.getByLabel('Maximum tasks').fill('2');
    await section.getByRole('button', { name: 'Set bounds…' }).click();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor();
    t.equal(
      await alert.innerText(),
      'ValidationException: Minimum capacity (5) cannot be greater than maximum (2).',
      'the API’s refusal, in the dialog',
    );
    await shot('scaling-bounds-refused');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    t.match(await section.getByTestId('scalable-target').innerText(), /min 1\s+max 3/, 'unchanged');
  });

  await t.test('add a CPU policy (a bad name refused first); the scaler acts on it', async (t) => {
    await section.getByLabel('Policy name').fill('cpu:50');
    await section.getByLabel('Target value (%)').fill('50');
    await section.getByLabel('Scale-in cooldown (s)').fill('600');
    await section.getByRole('button', { name: 'Add policy…' }).click();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await dialog.getByRole('alert').waitFor();
    t.match(await dialog.getByRole('alert').innerText(), /^ValidationException: PolicyName/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await section.getByLabel('Policy name').fill('cpu50');
    await section.getByRole('button', { name: 'Add policy…' }).click();
    t.match(await dialog.innerText(), /keep the average CPU utilisation at 50 %/);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    const row = section.locator('tr[data-policy="cpu50"]');
    await row.waitFor();
    const text = await row.innerText();
    t.match(text, /Target tracking/);
    t.match(text, /Average CPU utilisation/);
    t.match(text, /50 %/);
    t.match(text, /Scale-out cooldown: 60 s/);
    t.match(text, /Scale-in cooldown: 600 s/);
    t.match(text, /Scale-in: enabled/);
    // CPU at 100 % of the reservation: the scaler sets 2, the activity shows.
    cpu = 256;
    await section
      .getByRole('region', { name: 'Scaling activities (table)' })
      .getByText('Setting desired count to 2.')
      .waitFor();
    const activity = await section
      .getByRole('region', { name: 'Scaling activities (table)' })
      .locator('tr', { hasText: 'Setting desired count to 2.' })
      .innerText();
    t.match(activity, /Successful/);
    t.match(activity, /ECSServiceAverageCPUUtilization|CPU/i, 'the cause names the metric');
    cpu = 64;
  });

  await t.test('a scheduled action with its next run', async (t) => {
    const api = new ScalingApi(scheduler.url, 'us-east-1', KEYS);
    await api.client.send(
      new PutScheduledActionCommand({
        ServiceNamespace: 'ecs',
        ScalableDimension: 'ecs:service:DesiredCount',
        ResourceId: 'service/default/web',
        ScheduledActionName: 'nightly',
        Schedule: 'cron(0 22 * * ? *)',
        ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 2 },
      }),
    );
    api.destroy();
    const table = section.getByRole('region', { name: 'Scheduled actions (table)' });
    // No scheduler event announces it: the section's 15 s refresh brings it.
    await table.getByText('nightly').waitFor();
    const row = await table.locator('tr', { hasText: 'nightly' }).innerText();
    t.match(row, /cron\(0 22 \* \* \? \*\)/);
    t.match(row, /\d{4}-\d\d-\d\d 22:00 UTC/, 'the next run');
    await scanned(t, page, 'the service page with auto scaling');
    await shot('scaling');
    await section.screenshot({ path: join(shots, 'autoscaling.png') });
  });

  await t.test('dark, and 390 px wide: readable, nothing wider than the screen', async (t) => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await scanned(t, page, 'dark');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'light' });
    await section.getByTestId('scalable-target').waitFor();
    const overflow = await page.evaluate(
      'document.documentElement.scrollWidth - window.innerWidth',
    );
    const wide = await page.evaluate(`[...document.querySelectorAll('body *')]
      .filter((e) => !e.closest('.table-wrap') && e.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 8)
      .map((e) => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))`);
    t.equal(overflow, 0, 'nothing wider than a 390 px screen', { wide });
    await scanned(t, page, '390 px');
    await shot('scaling-narrow');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  await t.test('delete the policy', async (t) => {
    await section.getByRole('button', { name: 'Delete cpu50…' }).click();
    t.match(await dialog.innerText(), /Delete scaling policy cpu50 of service web/);
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await until(page, 'the policy is gone', `!document.querySelector('tr[data-policy="cpu50"]')`);
    await section.getByText('No scaling policy.').waitFor();
    t.pass('deleted');
  });

  t.same(errors, [], 'no script error in the page');

  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  }
});
