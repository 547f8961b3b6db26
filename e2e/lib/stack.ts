// Where the local patch stack lives (same variables and defaults as e2e/scripts/env.sh), the advisory
// file the fixtures write, and a small client for the local registry: resolve tags, list tags, copy an
// image into a new repository, read a file out of an image's layers.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';

const env = process.env;

export const cacheDir = env.HP_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'harbor-patching');
export const stateDir =
  env.HP_STATE ?? join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'harbor-patching');
export const logsDir = env.HP_LOGS ?? join(stateDir, 'logs');
/** host:port of the plain-HTTP distribution registry. */
export const registryAddr = env.HP_REGISTRY_ADDR ?? '127.0.0.1:5000';
export const registryUrl = `http://${registryAddr}`;
export const buildkitAddr = env.HP_BUILDKIT_ADDR ?? `unix://${join(stateDir, 'buildkit', 'buildkitd.sock')}`;
export const binDir = join(cacheDir, 'bin');
export const copaPath = join(binDir, 'copa');
export const buildctlPath = join(binDir, 'buildctl');
/** Node.js 24 (node/bin/node) and better-sqlite3 built for it (modules/node_modules), from e2e/toolchain/node24.sh. */
export const node24Dir = env.HP_NODE24 ?? join(cacheDir, 'node24');
export const advisoriesPath = env.HP_ADVISORIES ?? join(cacheDir, 'fixtures', 'advisories.json');
/** The vulnerable sample image the fixtures push (repository:tag in the local registry). */
export const sampleImage = 'library/sample-app:1.0';

// ---------------------------------------------------------------------------------------------
// Advisory file

export interface Advisory {
  package: string;
  source_package: string;
  installed_version: string;
  fixed_version: string;
  cve: string;
  severity: 'Critical' | 'High' | 'Medium' | 'Low' | 'Negligible' | 'Unknown';
  title: string;
}

export interface AdvisoryFile {
  schema: 1;
  generated_at: string;
  source: string;
  image: string;
  advisories: Advisory[];
}

export function readAdvisories(path = advisoriesPath): AdvisoryFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(
      `cannot read the advisory file ${path} (${(err as Error).message}); run bash e2e/fixtures/build.sh`,
    );
  }
  const file = JSON.parse(text) as AdvisoryFile;
  if (file.schema !== 1 || !Array.isArray(file.advisories)) {
    throw new Error(`${path} is not a schema 1 advisory file; run bash e2e/fixtures/build.sh`);
  }
  return file;
}

/** A repository name nobody else uses, e.g. `uniqueRepository('copa-proof')` -> `copa-proof/app-1a2b3c4d`. */
export function uniqueRepository(project: string, name = 'app'): string {
  return `${project}/${name}-${randomBytes(4).toString('hex')}`;
}

// ---------------------------------------------------------------------------------------------
// Registry client (distribution API v2)

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;
const MANIFEST_ACCEPT = Object.values(MEDIA_TYPES).join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface Manifest {
  schemaVersion: 2;
  mediaType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
  annotations?: Record<string, string>;
}

export interface FetchedManifest {
  digest: string;
  mediaType: string;
  raw: Buffer;
  manifest: Manifest;
}

export interface ImageConfig {
  architecture: string;
  os: string;
  config?: { Labels?: Record<string, string>; Entrypoint?: string[]; Cmd?: string[]; Env?: string[] };
  [key: string]: unknown;
}

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

function isIndex(mediaType: string | undefined): boolean {
  return mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerList;
}

/** Splits `repo:tag` or `repo@sha256:...` into repository and reference. */
export function parseImageName(name: string): { repository: string; reference: string } {
  const at = name.indexOf('@');
  if (at > 0) return { repository: name.slice(0, at), reference: name.slice(at + 1) };
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) return { repository: name.slice(0, colon), reference: name.slice(colon + 1) };
  return { repository: name, reference: 'latest' };
}

export class Registry {
  private readonly authorization?: string;

  /** `baseUrl` like http://127.0.0.1:5000; Basic credentials for registries behind Harbor-style auth. */
  constructor(
    readonly baseUrl: string = registryUrl,
    credentials?: { username: string; password: string },
  ) {
    if (credentials) {
      this.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
    }
  }

  private async request(path: string, init: RequestInit = {}, okStatuses: number[] = [200]): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.authorization) headers.set('Authorization', this.authorization);
    const url = path.startsWith('http') ? path : `${this.baseUrl}${path}`;
    const res = await fetch(url, { ...init, headers, redirect: 'follow' });
    if (!okStatuses.includes(res.status)) {
      const body = await res.text().catch(() => '');
      throw new RegistryError(
        `${init.method ?? 'GET'} ${url} answered ${res.status}: ${body.slice(0, 300)}`,
        res.status,
      );
    }
    return res;
  }

  /** The manifest digest a tag points at, or undefined when the tag (or repository) does not exist. */
  async resolve(repository: string, reference: string): Promise<string | undefined> {
    const res = await this.request(
      `/v2/${repository}/manifests/${reference}`,
      { method: 'HEAD', headers: { Accept: MANIFEST_ACCEPT } },
      [200, 404],
    );
    return res.status === 404 ? undefined : (res.headers.get('docker-content-digest') ?? undefined);
  }

  /** Tags of a repository; [] when the repository does not exist. */
  async listTags(repository: string): Promise<string[]> {
    const res = await this.request(`/v2/${repository}/tags/list?n=10000`, {}, [200, 404]);
    if (res.status === 404) return [];
    const body = (await res.json()) as { tags?: string[] | null };
    return (body.tags ?? []).sort();
  }

  async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    const res = await this.request(`/v2/${repository}/manifests/${reference}`, {
      headers: { Accept: MANIFEST_ACCEPT },
    });
    const raw = Buffer.from(await res.arrayBuffer());
    const manifest = JSON.parse(raw.toString('utf8')) as Manifest;
    const mediaType = manifest.mediaType ?? res.headers.get('content-type') ?? MEDIA_TYPES.ociManifest;
    return { digest: res.headers.get('docker-content-digest') ?? '', mediaType, raw, manifest };
  }

  /** The single-platform manifest for a reference (picks linux/amd64 out of an index). */
  async getImageManifest(repository: string, reference: string, arch = 'amd64'): Promise<FetchedManifest> {
    const top = await this.getManifest(repository, reference);
    if (!isIndex(top.mediaType)) return top;
    const entry = top.manifest.manifests?.find((m) => m.platform?.os === 'linux' && m.platform.architecture === arch);
    if (!entry) throw new Error(`${repository}:${reference} has no linux/${arch} image`);
    return this.getManifest(repository, entry.digest);
  }

  async getImageConfig(repository: string, reference: string): Promise<ImageConfig> {
    const { manifest } = await this.getImageManifest(repository, reference);
    if (!manifest.config) throw new Error(`${repository}:${reference} has no image config`);
    const res = await this.request(`/v2/${repository}/blobs/${manifest.config.digest}`);
    return (await res.json()) as ImageConfig;
  }

  async blobStream(repository: string, digest: string): Promise<Readable> {
    const res = await this.request(`/v2/${repository}/blobs/${digest}`);
    return Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  }

  async deleteManifest(repository: string, digest: string): Promise<void> {
    await this.request(`/v2/${repository}/manifests/${digest}`, { method: 'DELETE' }, [202, 404]);
  }

  /**
   * Copies an image (a manifest or a whole index) to another repository and tag in the same registry.
   * Blobs are mounted across repositories (no data moves); the manifest bytes are kept, so the digest is
   * the same. Returns that digest.
   */
  async copyImage(from: string, to: string): Promise<string> {
    const src = parseImageName(from);
    const dst = parseImageName(to);
    const top = await this.getManifest(src.repository, src.reference);
    await this.copyManifestContent(src.repository, dst.repository, top);
    await this.putManifest(dst.repository, dst.reference, top);
    return top.digest;
  }

  private async copyManifestContent(fromRepo: string, toRepo: string, m: FetchedManifest): Promise<void> {
    if (isIndex(m.mediaType)) {
      for (const child of m.manifest.manifests ?? []) {
        const fetched = await this.getManifest(fromRepo, child.digest);
        await this.copyManifestContent(fromRepo, toRepo, fetched);
        await this.putManifest(toRepo, child.digest, fetched);
      }
      return;
    }
    const blobs = [m.manifest.config, ...(m.manifest.layers ?? [])].filter((d): d is Descriptor => !!d);
    for (const blob of blobs) await this.mountBlob(fromRepo, toRepo, blob.digest);
  }

  private async mountBlob(fromRepo: string, toRepo: string, digest: string): Promise<void> {
    const res = await this.request(
      `/v2/${toRepo}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(fromRepo)}`,
      { method: 'POST' },
      [201, 202],
    );
    if (res.status === 201) return;
    // The registry did not mount: upload the blob's bytes into the open session instead.
    const location = new URL(res.headers.get('location') ?? '', this.baseUrl);
    location.searchParams.set('digest', digest);
    const data = Buffer.from(await (await this.request(`/v2/${fromRepo}/blobs/${digest}`)).arrayBuffer());
    await this.request(
      location.toString(),
      { method: 'PUT', body: new Uint8Array(data), headers: { 'Content-Type': 'application/octet-stream' } },
      [201],
    );
  }

  private async putManifest(repository: string, reference: string, m: FetchedManifest): Promise<void> {
    await this.request(
      `/v2/${repository}/manifests/${reference}`,
      { method: 'PUT', body: new Uint8Array(m.raw), headers: { 'Content-Type': m.mediaType } },
      [201],
    );
  }

  /**
   * Reads one file out of an image, as a container would see it: the topmost layer that has the file
   * wins, whiteouts in upper layers hide it. Follows symlinks (e.g. etc/os-release). Undefined if absent.
   */
  async readImageFile(repository: string, reference: string, path: string): Promise<Buffer | undefined> {
    const { manifest } = await this.getImageManifest(repository, reference);
    const layers = manifest.layers ?? [];
    let wanted = normalizePath(path);
    for (let hops = 0; hops < 8; hops++) {
      const found = await this.findInLayers(repository, layers, wanted);
      if (!found || Buffer.isBuffer(found)) return found;
      wanted = found.symlink;
    }
    throw new Error(`too many symlinks resolving ${path} in ${repository}:${reference}`);
  }

  private async findInLayers(
    repository: string,
    layers: Descriptor[],
    path: string,
  ): Promise<Buffer | { symlink: string } | undefined> {
    for (let i = layers.length - 1; i >= 0; i--) {
      const result = await this.scanLayer(repository, layers[i], path);
      if (result === 'hidden') return undefined;
      if (result !== undefined) return result;
    }
    return undefined;
  }

  private async scanLayer(
    repository: string,
    layer: Descriptor,
    path: string,
  ): Promise<Buffer | { symlink: string } | 'hidden' | undefined> {
    if (layer.mediaType.includes('zstd'))
      throw new Error(`layer ${layer.digest} is zstd-compressed; not supported here`);
    const body = await this.blobStream(repository, layer.digest);
    const input = layer.mediaType.endsWith('gzip') ? body.pipe(createGunzip()) : body;
    const extract = tar.extract();
    input.on('error', (err) => extract.destroy(err));
    input.pipe(extract);
    let result: Buffer | { symlink: string } | 'hidden' | undefined;
    for await (const entry of extract) {
      const name = normalizePath(entry.header.name);
      const dir = posix.dirname(name);
      const base = posix.basename(name);
      if (
        result === undefined &&
        name === path &&
        (entry.header.type === 'file' || entry.header.type === 'contiguous-file')
      ) {
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        result = Buffer.concat(chunks);
        break;
      }
      if (result === undefined && name === path && entry.header.type === 'symlink' && entry.header.linkname) {
        const target = entry.header.linkname.startsWith('/')
          ? entry.header.linkname
          : posix.join(posix.dirname(path), entry.header.linkname);
        result = { symlink: normalizePath(target) };
      } else if (base === '.wh..wh..opq' && path.startsWith(dir === '.' ? '' : `${dir}/`)) {
        result ??= 'hidden';
      } else if (base.startsWith('.wh.')) {
        const hidden = posix.join(dir, base.slice(4));
        if (path === hidden || path.startsWith(`${hidden}/`)) result ??= 'hidden';
      }
      entry.resume();
      // Within one layer a path is either there or whited out, so the rest of the layer cannot change it.
      if (result !== undefined) break;
    }
    body.destroy();
    return result;
  }
}

function normalizePath(path: string): string {
  return posix.normalize(path.replace(/^(\.\/|\/)+/, '')).replace(/\/$/, '');
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

/** The installed packages of an image in the registry (from var/lib/dpkg/status). */
export async function readInstalledPackages(registry: Registry, image: string): Promise<Map<string, string>> {
  const { repository, reference } = parseImageName(image);
  const status = await registry.readImageFile(repository, reference, 'var/lib/dpkg/status');
  if (!status) throw new Error(`${image} has no var/lib/dpkg/status`);
  return parseDpkgStatus(status.toString('utf8'));
}
