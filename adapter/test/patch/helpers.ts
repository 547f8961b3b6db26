/** Test helpers for the patch engine's end-to-end tests: stack locations, images, waiting. */
import { execa } from 'execa';
import {
  advisoriesPath,
  buildkitAddr,
  copaPath,
  registryAddr,
  RegistryClient,
  registryUrl as sharedRegistryUrl,
  sampleImage,
  tinyImage,
} from '@harbor-patching/oci-testkit';

/** The shared stack's locations (oci-testkit's stack.ts), under the names these tests use. */
export const stack = { registryAddr, buildkitAddr, advisories: advisoriesPath, copaPath, sampleImage };

export const registryUrl = () => sharedRegistryUrl;

export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
}

const registry = new RegistryClient(sharedRegistryUrl);

/** Copies an image inside the local registry (e.g. a fresh copy of the sample into a repository of one's own). */
export async function copyImage(from: string, to: string): Promise<void> {
  await registry.copyImage(from, to);
}

/**
 * Pushes a one-layer image made of `files` straight to the local registry; `configMediaType` other than
 * the OCI image config makes it a non-image artifact (e.g. a Helm chart). `labels` go where copa writes
 * its `BaseImage` marker (`config.labels`).
 */
export async function pushTinyImage(
  repo: string,
  tag: string,
  files: Record<string, string>,
  configMediaType?: string,
  labels: Record<string, string> = {},
): Promise<string> {
  return registry.mustPushImage(repo, tag, await tinyImage(files, { configMediaType, labels }));
}

/** The digest of repo:tag in the local registry, or undefined. */
export async function registryDigest(repo: string, tag: string): Promise<string | undefined> {
  return registry.resolve(repo, tag);
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 120_000,
  everyMs = 250,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== null && (v as unknown) !== false) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Whether a process id is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of running copa processes whose command line mentions `needle`. */
export async function copaProcessesMentioning(needle: string): Promise<number[]> {
  const { stdout } = await execa('ps', ['-eo', 'pid=,args='], { reject: false });
  return stdout
    .split('\n')
    .filter((l) => /copa(cetic)?\s+patch/.test(l) && l.includes(needle))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}
