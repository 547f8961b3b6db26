/**
 * The production build of the portal as the browser tests and the portal benchmark use it: built when its
 * sources changed, served by a real adapter in front of the Harbor stand-in, seen by headless Chromium.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { startHarborSim, type HarborSim, type RobotSeed } from '@harbor-patching/harbor-sim';
import { startAdapter, type Config, type RunningAdapter } from '@harbor-patching/adapter';
import { advisoriesPath, buildkitAddr, copaPath, registryUrl } from '@harbor-patching/oci-testkit';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const PORTAL_DIR = join(ROOT, 'dist/portal-plugin');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds the portal as `npx nx run portal-plugin:build` does (the Angular build, then its precompressed
 * copies) when there is no build yet or its sources (or the shared library) changed since.
 */
export function ensurePortalBuilt(): void {
  const index = join(PORTAL_DIR, 'index.html');
  const built = existsSync(index) ? statSync(index).mtimeMs : 0;
  const sources = Math.max(newestMtime(join(ROOT, 'portal-plugin/src')), newestMtime(join(ROOT, 'shared/src')));
  if (built > sources) return;
  execFileSync('npm', ['run', 'build', '-w', 'portal-plugin'], { cwd: ROOT, stdio: 'inherit' });
}

/** The JavaScript files index.html loads before the first route: its module scripts and module preloads. */
export function initialScripts(indexHtml: string): string[] {
  const found = new Set<string>();
  for (const tag of indexHtml.match(/<(?:script|link)\b[^>]*>/g) ?? []) {
    const isScript = tag.startsWith('<script');
    if (!isScript && !/\brel=["']?modulepreload/.test(tag)) continue;
    const url = /\b(?:src|href)=["']?([^"'\s>]+)/.exec(tag)?.[1];
    if (url && /\.m?js(?:\?|$)/.test(url)) found.add(url);
  }
  return [...found];
}

export interface PortalServers {
  sim: HarborSim;
  adapter: RunningAdapter;
  close(): Promise<void>;
}

export interface PortalServerOptions {
  /** The service robot (a system robot), as the adapter is configured with it. */
  robot: RobotSeed;
  webhookSecret?: string;
  scanDelayMs?: number;
  /** Further adapter settings, e.g. trustProxy and externalUrl behind a proxy. */
  adapter?: Partial<Config>;
}

/** The Harbor stand-in (demo seed, in front of the local registry) and the adapter serving the built portal. */
export async function startPortalServers(o: PortalServerOptions): Promise<PortalServers> {
  const sim = await startHarborSim({
    port: 0,
    registryUrl,
    advisoriesFile: advisoriesPath,
    seed: 'demo',
    scanDelayMs: o.scanDelayMs,
    robots: [o.robot],
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'hp-ui-'));
  let adapter: RunningAdapter;
  try {
    adapter = await startAdapter({
      port: 0,
      harborUrl: sim.url,
      robotName: o.robot.name,
      robotSecret: o.robot.secret,
      dataDir,
      portalDir: PORTAL_DIR,
      buildkitAddr,
      copaPath,
      webhookSecret: o.webhookSecret,
      logLevel: 'warn',
      ...o.adapter,
    });
  } catch (err) {
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    sim,
    adapter,
    async close() {
      await adapter.close();
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Debian's Chromium, headless. Playwright gives each launch a fresh temporary profile and removes it on close. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.HP_CHROMIUM ?? '/usr/bin/chromium',
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
}
