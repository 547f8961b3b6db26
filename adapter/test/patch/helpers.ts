/** Test helpers for the patch engine's end-to-end tests: stack locations, images, waiting. */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { execa } from 'execa';
import * as tar from 'tar-stream';
import {
  advisoriesPath,
  buildkitAddr,
  copaPath,
  registryAddr,
  registryUrl as sharedRegistryUrl,
  sampleImage,
} from '@harbor-patching/e2e/lib/stack';

/** The shared stack's locations (e2e/lib/stack.ts), under the names these tests use. */
export const stack = { registryAddr, buildkitAddr, advisories: advisoriesPath, copaPath, sampleImage };

export const registryUrl = () => sharedRegistryUrl;

export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
}

/** Copies an image inside the local registry (e.g. the sample into a repository of one's own). */
export async function copyImage(from: string, to: string): Promise<void> {
  await execa('skopeo', [
    'copy',
    '--quiet',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    `docker://${stack.registryAddr}/${from}`,
    `docker://${stack.registryAddr}/${to}`,
  ]);
}

const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function putBlob(repo: string, data: Buffer): Promise<string> {
  const digest = sha256(data);
  const start = await fetch(`${registryUrl()}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`blob upload to ${repo} failed: HTTP ${start.status}`);
  const location = new URL(start.headers.get('location')!, registryUrl());
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    body: new Uint8Array(data),
    headers: { 'content-type': 'application/octet-stream' },
  });
  if (put.status !== 201) throw new Error(`blob upload to ${repo} failed: HTTP ${put.status} ${await put.text()}`);
  return digest;
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
  configMediaType = 'application/vnd.oci.image.config.v1+json',
  labels: Record<string, string> = {},
): Promise<string> {
  const pack = tar.pack();
  for (const [name, content] of Object.entries(files)) pack.entry({ name, mode: 0o644 }, content);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  const layerTar = Buffer.concat(chunks);
  const layer = gzipSync(layerTar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: {}, ...(Object.keys(labels).length ? { labels } : {}) },
      rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] },
    }),
  );
  const layerDigest = await putBlob(repo, layer);
  const configDigest = await putBlob(repo, config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: configMediaType, digest: configDigest, size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layer.length }],
  });
  const res = await fetch(`${registryUrl()}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    body: manifest,
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
  });
  if (res.status !== 201)
    throw new Error(`manifest push to ${repo}:${tag} failed: HTTP ${res.status} ${await res.text()}`);
  return sha256(manifest);
}

/** The digest of repo:tag in the local registry, or undefined. */
export async function registryDigest(repo: string, tag: string): Promise<string | undefined> {
  const res = await fetch(`${registryUrl()}/v2/${repo}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
    },
  });
  return res.status === 200 ? (res.headers.get('docker-content-digest') ?? undefined) : undefined;
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
