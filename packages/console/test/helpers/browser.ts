// Debian's chromium driven by playwright-core for the console's browser tests: one headless
// browser with a fresh profile, screenshots into a directory the run names, and an axe-core
// scan inside the page. It never downloads a browser and never reaches beyond loopback.
import { access, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Whether Debian's chromium is installed (scripts/setup installs it). */
export async function haveChromium(): Promise<boolean> {
  return access(CHROMIUM).then(
    () => true,
    () => false,
  );
}

/** Launches chromium with a fresh profile; close() removes the profile. */
export async function launch(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = await mkdtemp(join(tmpdir(), 'berth-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: ARGS,
    headless: true,
    viewport: { width: 1280, height: 860 },
    colorScheme: 'light',
    timeout: 60_000,
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Where this run's screenshots go: BERTH_CONSOLE_SCREENSHOTS, else a new tmp dir. */
export async function screenshotDir(): Promise<string> {
  const dir = process.env.BERTH_CONSOLE_SCREENSHOTS;
  if (dir) {
    await mkdir(dir, { recursive: true });
    return dir;
  }
  return mkdtemp(join(tmpdir(), 'berth-console-screenshots-'));
}

/** One violation of the axe scan, as the test reports it. */
export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: string[];
}

let axeSource: string | undefined;

/**
 * Runs axe-core in the page (injected through the DevTools protocol, so the console's CSP,
 * which refuses inline scripts, stays on) over the document or the elements `selector`
 * matches, and returns the violations.
 */
export async function axeScan(page: Page, selector?: string): Promise<AxeViolation[]> {
  if (axeSource === undefined) {
    const require = createRequire(import.meta.url);
    axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  }
  await page.evaluate(`${axeSource}\n;0`);
  return (await page.evaluate(`axe
    .run(${selector ? `{ include: [${JSON.stringify(selector)}] }` : 'document'}, { resultTypes: ['violations'] })
    .then((r) => r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => String(n.target)),
    })))`)) as AxeViolation[];
}
