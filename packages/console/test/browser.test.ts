/**
 * Issue 19: the console in a real browser (Debian's chromium driven by playwright-core) against
 * a real `berth dev --demo` with Docker: sign-in (a wrong secret refused), the demo service with
 * 3 healthy tasks, scale to 5 seen without a reload, a stopped task replaced, an invalid task
 * definition edit answered at the field, a deployment to a new revision to completion, logs,
 * an action without the CSRF token refused, the live state lost and resumed, and an axe-core
 * scan of every view with no serious or critical violation. One `berth dev`, one browser,
 * sequential steps. Screenshots go to BERTH_CONSOLE_SCREENSHOTS or a new tmp dir.
 */
import t, { type Test } from 'tap';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { sleep } from '@berth/daemon';
import { eventually } from '@berth/daemon/testing';
import { startDev } from '../../../test/helpers/berth-dev.js';
import { requireDocker } from '../../../test/helpers/docker.js';
import { axeScan, haveChromium, launch, screenshotDir } from './helpers/browser.js';

const BUNDLE = fileURLToPath(new URL('../scripts/bundle.mjs', import.meta.url));
const STEP_MS = 90_000;

t.setTimeout(900_000);

/** The key pair berth dev generated. */
async function keyPair(file: string): Promise<{ id: string; secret: string }> {
  const text = await readFile(file, 'utf8');
  const id = /aws_access_key_id\s*=\s*(\S+)/.exec(text)?.[1];
  const secret = /aws_secret_access_key\s*=\s*(\S+)/.exec(text)?.[1];
  if (!id || !secret) throw new Error(`no key pair in ${file}`);
  return { id, secret };
}

/** Running-task ids of the service page's table. */
async function runningIds(page: Page): Promise<string[]> {
  return page
    .locator('section[aria-labelledby="tasks-h"] tbody tr')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-task') ?? ''));
}

/**
 * Waits until `expression` (evaluated in the page through the DevTools protocol, which the
 * console's CSP allows, unlike waitForFunction's eval) is truthy.
 */
function until(
  page: Page,
  what: string,
  expression: string,
  timeoutMs = STEP_MS,
): Promise<unknown> {
  return eventually(what, () => page.evaluate(expression), { timeoutMs, intervalMs: 200 });
}

async function scanned(t: Test, page: Page, what: string): Promise<void> {
  const violations = await axeScan(page);
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of violations)
    t.comment(`axe ${what}: ${v.impact} ${v.id} (${v.help}) at ${v.targets.join(' ')}`);
  t.same(bad, [], `axe: no serious or critical violation on ${what}`);
}

t.test('the console in chromium against berth dev --demo', async (t) => {
  if (!(await haveChromium())) {
    if (process.env.CI === 'true') t.fail('chromium is required in CI (scripts/setup installs it)');
    else t.plan(0, 'no /usr/bin/chromium: apt-get install -y chromium');
    return;
  }
  if (!(await requireDocker(t))) return;
  // Charts sample every 2 s here instead of 10 s (berth dev's console reads its env).
  process.env.BERTH_CONSOLE_SAMPLE_INTERVAL = '2s';
  // The page is bundled from the sources under test (scripts/setup does the same).
  await promisify(execFile)(process.execPath, [BUNDLE], { timeout: 60_000 });
  const dev = await startDev(t, ['--demo'], { timeoutMs: 180_000 });
  const consoleUrl = `http://127.0.0.1:${8710 + dev.offset}`;
  const keys = await keyPair(dev.info.credentialsFile);
  // Some traffic through the router for the request-rate chart: bounded in count and time.
  const traffic = new AbortController();
  t.teardown(() => traffic.abort());
  void (async () => {
    const url = `${dev.info.hosts[0]!.router}/hello`;
    const until = Date.now() + 300_000;
    for (let i = 0; i < 3000 && Date.now() < until && !traffic.signal.aborted; i++) {
      await fetch(url, { signal: AbortSignal.any([traffic.signal, AbortSignal.timeout(2000)]) })
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
      await sleep(100, traffic.signal);
    }
  })();
  const shots = await screenshotDir();
  t.comment(`screenshots in ${shots}`);
  const browser = await launch();
  t.teardown(() => browser.close());
  const page = await browser.context.newPage();
  page.setDefaultTimeout(STEP_MS);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const shot = (name: string): Promise<Buffer> =>
    page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const servicePath = '/c/default/services/hello';
  const running = page.locator('.counts .running');

  await t.test('sign-in: a wrong secret is refused, the right one opens the console', async (t) => {
    const t0 = Date.now();
    await page.goto(`${consoleUrl}${servicePath}`);
    await page.getByLabel('Access key ID').waitFor();
    t.comment(`sign-in page interactive ${Date.now() - t0} ms after navigation`);
    await page.getByLabel('Access key ID').fill(keys.id);
    await page.getByLabel('Secret access key').fill(`${keys.secret}x`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'refused these credentials' }).waitFor();
    await scanned(t, page, 'the sign-in page');
    await shot('sign-in-refused');
    await page.getByLabel('Secret access key').fill(keys.secret);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /Service hello/ }).waitFor();
    const cookies = await browser.context.cookies(consoleUrl);
    const session = cookies.find((c) => c.name === 'berth_console');
    t.ok(session?.httpOnly, 'the session cookie is HttpOnly');
    t.equal(session?.sameSite, 'Strict', 'and SameSite=Strict');
    const html = await page.content();
    t.notOk(html.includes(keys.secret), 'the secret is nowhere in the page');
  });

  await t.test('the demo service with 3 healthy tasks, scaled to 5 without a reload', async (t) => {
    await page.evaluate('window.__sameDocument = true');
    const rows = page.locator('section[aria-labelledby="tasks-h"] tbody tr');
    await until(
      page,
      '3 RUNNING and HEALTHY tasks',
      `[...document.querySelectorAll('section[aria-labelledby="tasks-h"] tbody tr')]
        .filter((r) => r.dataset.status === 'RUNNING' && r.textContent.includes('HEALTHY')).length === 3`,
    );
    t.equal(await rows.count(), 3);
    await scanned(t, page, 'the service page');
    await shot('service');
    await page.getByLabel('Desired count').fill('5');
    await page.getByRole('button', { name: 'Scale…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('from 3 to 5: the scheduler starts 2 tasks').waitFor();
    await shot('confirm-scale');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await until(
      page,
      '5 running',
      `document.querySelector('.counts .running')?.textContent === '5'`,
    );
    t.equal(await running.textContent(), '5', '5 running');
    t.equal(await page.evaluate('window.__sameDocument'), true, 'seen without a reload');
    await page
      .locator('section[aria-labelledby="service-events-h"] li', {
        hasText: /console.*from 3 to 5: the scheduler starts 2 tasks\. Done/i,
      })
      .waitFor();
    t.pass("the action is in the service's events, with who did it");
  });

  await t.test('a stopped task turns up stopped and a replacement appears', async (t) => {
    const before = await runningIds(page);
    const victim = before[0] as string;
    await page.locator(`tr[data-task="${victim}"]`).getByRole('button', { name: 'Stop…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(`Stop task ${victim}`).waitFor();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await until(
      page,
      'the stopped task replaced',
      `(() => {
        const ids = [...document.querySelectorAll('section[aria-labelledby="tasks-h"] tbody tr')]
          .filter((r) => r.dataset.status === 'RUNNING').map((r) => r.dataset.task);
        return ids.length === 5 && !ids.includes(${JSON.stringify(victim)});
      })()`,
    );
    await page.locator(`section[aria-labelledby="stopped-h"] tr[data-task="${victim}"]`).waitFor();
    const after = await runningIds(page);
    t.notOk(after.includes(victim), 'the stopped task left the running tasks');
    t.equal(after.filter((id) => !before.includes(id)).length, 1, 'one replacement appeared');
    t.equal(await page.evaluate('window.__sameDocument'), true, 'without a reload');
    await shot('task-replaced');
  });

  await t.test("a task's logs appear", async (t) => {
    const id = (await runningIds(page))[0] as string;
    await page.locator(`tr[data-task="${id}"] th a`).click();
    await page.locator('main h1', { hasText: /^Task / }).waitFor();
    await until(
      page,
      'the logs',
      `document.querySelector('[data-testid=logs]')?.textContent.includes('listening on :8080')`,
    );
    t.match(await page.getByTestId('logs').textContent(), /berth-httpd: .* listening on :8080/);
    await scanned(t, page, 'the task page');
    await shot('task-logs');
  });

  await t.test(
    "an invalid task definition edit shows the scheduler's message at the field",
    async (t) => {
      await page.goto(`${consoleUrl}/task-definitions/hello:1/edit`);
      const memory = page.locator('[data-field="containerDefinitions[0].memory"]');
      await memory.locator('input').fill('2');
      await page.getByRole('button', { name: 'Register revision…' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      const message = memory.locator('.field-error');
      await message.waitFor();
      t.match(
        await message.textContent(),
        /ClientException: Invalid 'memory' setting for container 'hello'/,
        'the message sits beside the memory field',
      );
      t.equal(await memory.locator('input').getAttribute('aria-invalid'), 'true');
      await scanned(t, page, 'the task definition editor');
      await shot('task-definition-invalid');
      await memory.locator('input').fill('48');
      await page.getByRole('button', { name: 'Register revision…' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
      await page.getByRole('heading', { name: /Task definition hello:2/ }).waitFor();
      t.pass('the corrected edit registered hello:2');
    },
  );

  await t.test('a deployment to the new revision, shown to completion', async (t) => {
    await page.goto(`${consoleUrl}${servicePath}`);
    await page.evaluate('window.__sameDocument = true');
    await page.getByLabel('Revision').selectOption('hello:2');
    await page.getByRole('button', { name: 'Update service…' }).click();
    await page.getByRole('dialog').getByText('to hello:2: a rolling deployment').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Confirm' }).click();
    const bar = page.getByRole('progressbar', { name: 'Deployment to hello:2' });
    await bar.waitFor();
    await shot('deployment-in-progress');
    await until(
      page,
      'the deployment completed',
      `document.querySelector('.rollout')?.getAttribute('aria-valuenow') === '100' &&
       document.querySelector('.rollout-state')?.textContent === 'COMPLETED'`,
      240_000,
    );
    t.match(
      await bar.getAttribute('aria-valuetext'),
      /5 of 5 tasks run the new revision, 0 starting, 0 old/,
    );
    t.equal(await page.evaluate('window.__sameDocument'), true, 'followed live, without a reload');
    await shot('deployment-completed');
  });

  await t.test('an action without the CSRF token is refused', async (t) => {
    const answer = (await page.evaluate(`fetch('/api/actions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: { kind: 'scale', cluster: 'default', service: 'hello', desiredCount: 1 } }),
    }).then(async (r) => ({ status: r.status, body: await r.json() }))`)) as {
      status: number;
      body: { error: { type: string } };
    };
    t.equal(answer.status, 403);
    t.equal(answer.body.error.type, 'CsrfRefused');
    await page.reload();
    await page.getByRole('heading', { name: /Service hello/ }).waitFor();
    t.equal(await page.locator('.counts .desired').textContent(), '5', 'nothing was scaled');
  });

  await t.test('every view passes axe, at narrow width and in the dark scheme too', async (t) => {
    for (const [path, name] of [
      ['/c/default', 'overview'],
      ['/c/default/instances', 'instances'],
      ['/c/default/tasks', 'tasks'],
      ['/task-definitions', 'task-definitions'],
      ['/task-definitions/hello:2', 'task-definition'],
      ['/discovery', 'discovery'],
    ] as const) {
      const t0 = Date.now();
      await page.goto(`${consoleUrl}${path}`);
      await page.locator('main h1').waitFor();
      await page.locator('[aria-busy=true]').waitFor({ state: 'detached' });
      t.comment(`${name}: drawn with its data ${Date.now() - t0} ms after navigation`);
      await scanned(t, page, name);
      await shot(name);
    }
    const instance = page.locator('main table tbody tr th a').first();
    await page.goto(`${consoleUrl}/c/default/instances`);
    await instance.click();
    await page.getByRole('heading', { name: /Instance / }).waitFor();
    await scanned(t, page, 'the instance page');
    await shot('instance');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${consoleUrl}${servicePath}`);
    await page.getByRole('heading', { name: /Service hello/ }).waitFor();
    await scanned(t, page, 'the service page, dark');
    await shot('service-dark');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.reload();
    await page.getByRole('heading', { name: /Service hello/ }).waitFor();
    const overflow = await page.evaluate(
      'document.documentElement.scrollWidth - window.innerWidth',
    );
    const wide = await page.evaluate(`[...document.querySelectorAll('body *')]
      .filter((e) => !e.closest('.table-wrap') && e.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 8)
      .map((e) => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))`);
    t.equal(overflow, 0, 'nothing wider than a 390 px screen', { wide });
    await scanned(t, page, 'the service page, 390 px');
    await shot('service-narrow');
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.keyboard.press('Tab');
    t.equal(
      await page.evaluate('document.activeElement.textContent'),
      'Skip to content',
      'the first Tab reaches the skip link',
    );
  });

  await t.test('a lost scheduler stream is shown, then resumed', async (t) => {
    const live = page.locator('p.live');
    await page.locator('p.live[data-scheduler=connected]').waitFor();
    const stopped = await dev.control('POST', '/daemons/scheduler/stop');
    t.equal(stopped.status, 200, 'scheduler stopped through berth dev');
    await page.locator('p.live[data-scheduler=lost]').waitFor();
    t.match(await live.textContent(), /event stream is lost/);
    await shot('live-lost');
    const started = await dev.control('POST', '/daemons/scheduler/start');
    t.equal(started.status, 200, 'scheduler started again');
    await page.locator('p.live[data-scheduler=connected]').waitFor({ timeout: 120_000 });
    t.match(await live.textContent(), /Live/);
  });

  t.same(errors, [], 'no script error in the page');
});
