// Images made in memory for tests (layers of given files, a Debian-like package database), and the
// readers for what is inside an image (dpkg status, os-release).
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

export const sha256 = (b: Buffer | string) => 'sha256:' + createHash('sha256').update(b).digest('hex');

/** A name nobody else uses: `unique('team')` -> `team-1a2b3c4d`. */
export const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** What RegistryClient.pushImage pushes: gzip layers, and the config (a default image config when omitted). */
export interface ImageSpec {
  layers: Buffer[];
  configMediaType?: string;
  config?: Record<string, unknown>;
  artifactType?: string;
}

export type LayerEntry = { path: string; content?: string; type?: 'file' | 'symlink' | 'directory'; linkname?: string };

async function tarOf(entries: LayerEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    if (e.type === 'symlink') pack.entry({ name: e.path, type: 'symlink', linkname: e.linkname });
    else if (e.type === 'directory') pack.entry({ name: e.path, type: 'directory' });
    else pack.entry({ name: e.path, mode: 0o644 }, e.content ?? '');
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A gzip-compressed tar layer holding `entries`. */
export async function layer(entries: LayerEntry[]): Promise<Buffer> {
  return gzipSync(await tarOf(entries));
}

/**
 * A one-layer image made of `files`. A `configMediaType` other than the OCI image config makes it a
 * non-image artifact (e.g. a Helm chart); `labels` go where copa writes its `BaseImage` marker
 * (`config.labels`).
 */
export async function tinyImage(
  files: Record<string, string>,
  options: { configMediaType?: string; labels?: Record<string, string> } = {},
): Promise<ImageSpec> {
  const layerTar = await tarOf(Object.entries(files).map(([path, content]) => ({ path, content })));
  const labels = options.labels ?? {};
  return {
    layers: [gzipSync(layerTar)],
    configMediaType: options.configMediaType,
    config: {
      architecture: 'amd64',
      os: 'linux',
      config: { Labels: {}, ...(Object.keys(labels).length ? { labels } : {}) },
      rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] },
    },
  };
}

export interface Pkg {
  name: string;
  version: string;
  status?: string;
}

/** A dpkg status file listing `packages` (installed unless a status says otherwise). */
export function dpkgStatus(packages: Pkg[]): string {
  return packages
    .map(
      (p) =>
        `Package: ${p.name}\nStatus: ${p.status ?? 'install ok installed'}\nArchitecture: amd64\nVersion: ${p.version}\nDescription: ${p.name}\n`,
    )
    .join('\n');
}

export const debianOsRelease =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';

/** A Debian-like image whose dpkg status lists the given packages. */
export async function debianImage(packages: Pkg[], extraLayers: Buffer[] = []): Promise<ImageSpec> {
  return {
    layers: [
      await layer([
        { path: 'etc/os-release', content: debianOsRelease },
        { path: 'var/lib/dpkg/status', content: dpkgStatus(packages) },
      ]),
      ...extraLayers,
    ],
  };
}

/** Packages and versions from a dpkg status file (only installed ones). */
export function parseDpkgStatus(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const paragraph of text.split(/\n\s*\n/)) {
    const name = paragraph.match(/^Package:\s*(\S+)/m)?.[1];
    const version = paragraph.match(/^Version:\s*(\S+)/m)?.[1];
    const status = paragraph.match(/^Status:\s*(.+)$/m)?.[1] ?? '';
    if (name && version && /\binstalled$/.test(status.trim())) out.set(name, version);
  }
  return out;
}

/** Key/value pairs of an os-release file. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = line.match(/^([A-Z0-9_]+)=(.*)$/);
    if (m) out[m[1]] = m[2].replace(/^(["'])(.*)\1$/, '$2');
  }
  return out;
}
