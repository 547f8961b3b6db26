/**
 * Browser test harness: the Harbor stand-in (demo seed, service robot) in front of the local registry,
 * the adapter in-process serving the built portal, and headless Debian Chromium through playwright-core.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startHarborSim, SERVICE_ROBOT_ACCESS, DEFAULT_PASSWORD } from '../harbor-sim/src/index';
import { advisoriesPath, buildkitAddr, copaPath, registryUrl } from '../lib/stack';
import { ensurePortalBuilt, PORTAL_DIR } from '../lib/portal';
import { startAdapter, type RunningAdapter } from '../../adapter/src/app';

export { ensurePortalBuilt, PORTAL_DIR, ROOT } from '../lib/portal';

export const PASSWORD = DEFAULT_PASSWORD;
const ROBOT = { name: 'robot$ui-patcher', secret: 'Ui-Patcher-Secret-1234' };
/** The service robot's permissions as the README lists them, webhook registration (notification-policy create, update) included. */
const ROBOT_ACCESS = [
  ...SERVICE_ROBOT_ACCESS,
  { resource: 'notification-policy', action: 'create' },
  { resource: 'notification-policy', action: 'update' },
];
/** Harbor sends it with every webhook event; set so project admins can register the webhook from the portal. */
const WEBHOOK_SECRET = 'Ui-Webhook-Secret-1234';
const CHROMIUM = process.env.HP_CHROMIUM ?? '/usr/bin/chromium';

export type Sim = Awaited<ReturnType<typeof startHarborSim>>;

export interface Stack {
  sim: Sim;
  adapter: RunningAdapter;
  browser: Browser;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  ensurePortalBuilt();
  const sim = await startHarborSim({
    port: 0,
    registryUrl,
    advisoriesFile: advisoriesPath,
    seed: 'demo',
    scanDelayMs: 200,
    robots: [
      {
        name: ROBOT.name,
        secret: ROBOT.secret,
        level: 'system',
        permissions: [{ kind: 'project', namespace: '*', access: ROBOT_ACCESS }],
      },
    ],
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'hp-ui-'));
  let adapter: RunningAdapter;
  try {
    adapter = await startAdapter({
      port: 0,
      harborUrl: sim.url,
      robotName: ROBOT.name,
      robotSecret: ROBOT.secret,
      dataDir,
      portalDir: PORTAL_DIR,
      buildkitAddr,
      copaPath,
      webhookSecret: WEBHOOK_SECRET,
      logLevel: 'warn',
    });
  } catch (err) {
    await sim.close();
    throw err;
  }
  // Playwright gives each launch a fresh temporary profile (user-data-dir) and removes it on close.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    sim,
    adapter,
    browser,
    async close() {
      await browser.close().catch(() => {});
      await adapter.close();
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh browser context (own cookies and localStorage), signed in through the portal's sign-in page. */
export async function signIn(stack: Stack, username: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await stack.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${stack.adapter.url}/patching/`);
  await page.waitForURL(/\/patching\/sign-in/);
  await page.fill('#login_username', username);
  await page.fill('#login_password', PASSWORD);
  await page.click('#log_in');
  await page.waitForURL(/\/patching\/projects/);
  await page.waitForSelector('#current-username');
  return { context, page };
}

/** Where screenshots go: a temp dir (never the repository), or HP_UI_SCREENSHOTS when set. */
export const screenshotDir = process.env.HP_UI_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'hp-ui-shots-'));
