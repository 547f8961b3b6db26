/** The production build of the portal, as the browser tests and the portal benchmark serve it. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
