/**
 * Browser test harness: the Harbor stand-in (demo seed, service robot) in front of the local registry,
 * the adapter in-process serving the built portal, and headless Debian Chromium through playwright-core.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SERVICE_ROBOT_ACCESS, DEFAULT_PASSWORD, type HarborSim } from '@harbor-patching/harbor-sim';
import { ensurePortalBuilt, launchChromium, startPortalServers } from '../lib/portal';
import type { Config, RunningAdapter } from '@harbor-patching/adapter';

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

export type Sim = HarborSim;

export interface Stack {
  sim: Sim;
  adapter: RunningAdapter;
  browser: Browser;
  close(): Promise<void>;
}

/** `adapter`: further adapter settings, e.g. behind a proxy. */
export async function startStack(adapter?: Partial<Config>): Promise<Stack> {
  ensurePortalBuilt();
  const servers = await startPortalServers({
    robot: {
      name: ROBOT.name,
      secret: ROBOT.secret,
      level: 'system',
      permissions: [{ kind: 'project', namespace: '*', access: ROBOT_ACCESS }],
    },
    webhookSecret: WEBHOOK_SECRET,
    scanDelayMs: 200,
    adapter,
  });
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (err) {
    await servers.close();
    throw err;
  }
  return {
    sim: servers.sim,
    adapter: servers.adapter,
    browser,
    async close() {
      await browser.close().catch(() => {});
      await servers.close();
    },
  };
}

/**
 * A fresh browser context (own cookies and localStorage), signed in through the portal's sign-in page, at the
 * adapter or at `origin` (a proxy in front of it).
 */
export async function signIn(
  stack: Stack,
  username: string,
  origin = stack.adapter.url,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await stack.browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${origin}/patching/`);
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
