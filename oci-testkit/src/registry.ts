// A client of the distribution API (v2) for tests, tools and the Harbor stand-in: read manifests, blobs and
// files inside images; push blobs, images and indexes; copy images between repositories. Talks to a plain
// registry directly, or through Harbor's /v2/ with its Bearer token flow (realm/service/scope, like crane).
// Repository names are used as they are: one a registry could not hold (`library/../other/app`) is an
// unknown repository, never a URL that a parser would resolve into another one.
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { isDigest, isReference, isRepositoryName } from '@harbor-patching/shared/harbor/names';
import { parseDpkgStatus, sha256, type ImageSpec } from './images';
import { registryUrl } from './stack';

export const MEDIA_TYPES = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerList,
  MEDIA_TYPES.dockerManifest,
].join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture?: string; os?: string; variant?: string; 'os.version'?: string };
  annotations?: Record<string, string>;
  urls?: string[];
  artifactType?: string;
}

export interface Manifest {
  schemaVersion: number;
  mediaType?: string;
  artifactType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
  annotations?: Record<string, string>;
  /** OCI 1.1: the manifest this one refers to (a signature, an SBOM, a VEX document...). */
  subject?: Descriptor;
}

export interface FetchedManifest {
  digest: string;
  mediaType: string;
  size: number;
  manifest: Manifest;
  raw: Buffer;
}

export interface ImageConfig {
  architecture: string;
  os: string;
  config?: { Labels?: Record<string, string>; Entrypoint?: string[]; Cmd?: string[]; Env?: string[] };
  [key: string]: unknown;
}

export interface Credentials {
  username: string;
  password: string;
}

export class RegistryError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function isIndex(mediaType: string | undefined): boolean {
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

/**
 * `/v2/<repository>/<rest><reference>`, or undefined when the repository or reference is not a valid name.
 * Any distribution repository name is valid (Harbor's have a project, the release images at the root have not).
 */
function v2Path(repository: string, rest: string, reference?: string): string | undefined {
  if (!isRepositoryName(repository)) return undefined;
  if (reference !== undefined && !isReference(reference)) return undefined;
  return `/v2/${repository}/${rest}${reference ?? ''}`;
}

function blobPath(repository: string, digest: string): string {
  const path = isDigest(digest) ? v2Path(repository, 'blobs/', digest) : undefined;
  if (!path) throw unknownName(repository, digest);
  return path;
}

const unknownName = (repository: string, reference = '') =>
  new RegistryError(
    404,
    `name unknown: ${JSON.stringify(repository)}${reference ? ` ${JSON.stringify(reference)}` : ''}`,
  );

const basic = (c: Credentials) => `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;

export interface RegistryClientOptions {
  /** Keep manifests and JSON blobs read by digest (content-addressed, so never stale while they exist). */
  cacheByDigest?: boolean;
}

export class RegistryClient {
  private realm?: { realm: string; service: string } | null;
  private readonly tokens = new Map<string, string>();
  private readonly manifestCache = new Map<string, FetchedManifest>();
  private readonly blobJsonCache = new Map<string, unknown>();

  /** `baseUrl`: a registry (http://127.0.0.1:5000) or a Harbor (its /v2/); `credentials` for either. */
  constructor(
    readonly baseUrl: string = registryUrl,
    readonly credentials?: Credentials,
    private readonly options: RegistryClientOptions = {},
  ) {}

  // -------------------------------------------------------------------------------------------
  // Requests

  /**
   * One request as a docker client makes it: learns the token realm from /v2/ once, then asks it for the
   * scope the operation needs (pull, or pull,push). Answers the response whatever its status; a registry
   * that does not answer at all is a RegistryError 502.
   */
  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const url = path.startsWith('http') ? path : this.baseUrl + path;
    const headers = new Headers(init.headers);
    const authorization = await this.authorization(new URL(url).pathname, (init.method ?? 'GET').toUpperCase());
    if (authorization) headers.set('authorization', authorization);
    try {
      return await fetch(url, { redirect: 'manual', ...init, headers });
    } catch (err) {
      throw new RegistryError(502, `registry at ${this.baseUrl} is unreachable (${(err as Error).message})`);
    }
  }

  private async authorization(path: string, method: string): Promise<string | undefined> {
    if (this.realm === undefined) {
      try {
        const ping = await fetch(this.baseUrl + '/v2/');
        await ping.body?.cancel();
        const m = (ping.headers.get('www-authenticate') ?? '').match(/^Bearer realm="([^"]+)",service="([^"]+)"/);
        this.realm = m ? { realm: m[1], service: m[2] } : null;
      } catch {
        return undefined; // the request itself reports the unreachable registry
      }
    }
    if (!this.realm) return this.credentials ? basic(this.credentials) : undefined;
    const repository = path.match(/^\/v2\/(.+?)\/(blobs|manifests|tags)\//)?.[1];
    if (!repository) return this.credentials ? basic(this.credentials) : undefined;
    const scope = `repository:${repository}:${method === 'GET' || method === 'HEAD' ? 'pull' : 'pull,push'}`;
    let token = this.tokens.get(scope);
    if (!token) {
      const tokenUrl = new URL(this.realm.realm);
      tokenUrl.searchParams.set('service', this.realm.service);
      tokenUrl.searchParams.set('scope', scope);
      const res = await fetch(tokenUrl, {
        headers: this.credentials ? { authorization: basic(this.credentials) } : {},
      });
      if (!res.ok) throw new RegistryError(res.status, `token request failed: ${res.status} ${await res.text()}`);
      token = ((await res.json()) as { token: string }).token;
      this.tokens.set(scope, token);
    }
    return `Bearer ${token}`;
  }

  /** A request that must answer one of `ok`; otherwise a RegistryError with the registry's answer. */
  private async expect(path: string, init: RequestInit, ok: number[], what: string): Promise<Response> {
    const res = await this.request(path, { redirect: 'follow', ...init });
    if (ok.includes(res.status)) return res;
    const body = await res.text().catch(() => '');
    throw new RegistryError(res.status, `${what} failed with ${res.status}: ${body.slice(0, 300)}`);
  }

  // -------------------------------------------------------------------------------------------
  // Reading

  async ping(): Promise<boolean> {
    try {
      return (await fetch(this.baseUrl + '/v2/')).ok;
    } catch {
      return false;
    }
  }

  /** Every repository name (follows the Link header's pages). */
  async catalog(): Promise<string[]> {
    const names: string[] = [];
    let path: string | undefined = '/v2/_catalog?n=1000';
    while (path) {
      const res = await this.expect(path, {}, [200], 'catalog listing');
      const body = (await res.json()) as { repositories?: string[] };
      names.push(...(body.repositories ?? []));
      path = res.headers.get('link')?.match(/<([^>]+)>;\s*rel="next"/)?.[1];
    }
    return names;
  }

  /** Tags of a repository in the registry's order (not sorted); [] when the repository does not exist. */
  async tags(repository: string): Promise<string[]> {
    const path = v2Path(repository, 'tags/list?n=10000');
    if (!path) return [];
    const res = await this.expect(path, {}, [200, 404], `tag listing of ${repository}`);
    if (res.status === 404) return [];
    const body = (await res.json()) as { tags?: string[] | null };
    return body.tags ?? [];
  }

  /** Whether the registry knows the repository (Harbor's repository record exists). */
  async hasRepository(repository: string): Promise<boolean> {
    const path = v2Path(repository, 'tags/list?n=1');
    if (!path) return false;
    const res = await this.expect(path, {}, [200, 404], `looking up ${repository}`);
    await res.body?.cancel();
    // A repository that holds only untagged artifacts has no tag list (404) but is still Harbor's repository.
    if (res.status === 404) return (await this.catalog()).includes(repository);
    return true;
  }

  /** The digest a tag or digest reference resolves to, or undefined when it does not exist. */
  async resolve(repository: string, reference: string): Promise<string | undefined> {
    const path = v2Path(repository, 'manifests/', reference);
    if (!path) return undefined;
    const res = await this.expect(
      path,
      { method: 'HEAD', headers: { accept: MANIFEST_ACCEPT } },
      [200, 404],
      `resolving ${repository}:${reference}`,
    );
    return res.status === 404 ? undefined : (res.headers.get('docker-content-digest') ?? undefined);
  }

  /** A manifest (or index), or undefined when it does not exist. */
  async manifest(repository: string, reference: string): Promise<FetchedManifest | undefined> {
    const cached = this.manifestCache.get(reference);
    if (cached) return cached;
    const path = v2Path(repository, 'manifests/', reference);
    if (!path) return undefined;
    const res = await this.expect(
      path,
      { headers: { accept: MANIFEST_ACCEPT } },
      [200, 404],
      `reading manifest ${repository}:${reference}`,
    );
    if (res.status === 404) return undefined;
    const raw = Buffer.from(await res.arrayBuffer());
    const manifest = JSON.parse(raw.toString('utf8')) as Manifest;
    const fetched: FetchedManifest = {
      digest: res.headers.get('docker-content-digest') ?? sha256(raw),
      mediaType: manifest.mediaType ?? res.headers.get('content-type') ?? MEDIA_TYPES.ociManifest,
      size: raw.length,
      manifest,
      raw,
    };
    if (this.options.cacheByDigest) this.manifestCache.set(fetched.digest, fetched);
    return fetched;
  }

  /** Like manifest(), but a missing manifest is an error. */
  async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    const fetched = await this.manifest(repository, reference);
    if (!fetched) throw new RegistryError(404, `${repository}:${reference} does not exist in ${this.baseUrl}`);
    return fetched;
  }

  /** The single-platform manifest of a reference (picks linux/`arch` out of an index). */
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
    return this.blobJson<ImageConfig>(repository, manifest.config.digest);
  }

  async blobJson<T>(repository: string, digest: string): Promise<T> {
    const cached = this.blobJsonCache.get(digest);
    if (cached) return cached as T;
    const res = await this.expect(blobPath(repository, digest), {}, [200], `reading blob ${repository}@${digest}`);
    const value = (await res.json()) as T;
    if (this.options.cacheByDigest) this.blobJsonCache.set(digest, value);
    return value;
  }

  /** A blob's bytes as they are stored (compressed layers stay compressed). */
  async blobStream(repository: string, digest: string): Promise<Readable> {
    const res = await this.expect(blobPath(repository, digest), {}, [200], `reading blob ${repository}@${digest}`);
    return Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
  }

  /** A layer as an uncompressed tar stream (gzip layers are inflated on the fly, never buffered whole). */
  async layerStream(repository: string, layer: Descriptor): Promise<Readable> {
    if (/zstd/.test(layer.mediaType)) throw new RegistryError(415, `zstd layers are not supported (${layer.digest})`);
    const stream = await this.blobStream(repository, layer.digest);
    if (!/gzip/.test(layer.mediaType)) return stream;
    const gunzip = createGunzip();
    stream.on('error', (err) => gunzip.destroy(err));
    return stream.pipe(gunzip);
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
    const input = await this.layerStream(repository, layer);
    const extract = tar.extract();
    input.on('error', (err) => extract.destroy(err));
    input.pipe(extract);
    let result: Buffer | { symlink: string } | 'hidden' | undefined;
    for await (const entry of extract) {
      const name = normalizePath(entry.header.name);
      const dir = posix.dirname(name);
      const base = posix.basename(name);
      if (name === path && (entry.header.type === 'file' || entry.header.type === 'contiguous-file')) {
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        result = Buffer.concat(chunks);
        break;
      }
      if (name === path && entry.header.type === 'symlink' && entry.header.linkname) {
        const target = entry.header.linkname.startsWith('/')
          ? entry.header.linkname
          : posix.join(posix.dirname(path), entry.header.linkname);
        result = { symlink: normalizePath(target) };
      } else if (base === '.wh..wh..opq' && path.startsWith(dir === '.' ? '' : `${dir}/`)) {
        result = 'hidden';
      } else if (base.startsWith('.wh.')) {
        const hidden = posix.join(dir, base.slice(4));
        if (path === hidden || path.startsWith(`${hidden}/`)) result = 'hidden';
      }
      entry.resume();
      // Within one layer a path is either there or whited out, so the rest of the layer cannot change it.
      if (result !== undefined) break;
    }
    input.destroy();
    return result;
  }

  // -------------------------------------------------------------------------------------------
  // Writing

  /** Uploads a blob (monolithic) unless the repository has it; answers its digest. */
  async pushBlob(repository: string, data: Buffer): Promise<string> {
    const digest = sha256(data);
    const path = blobPath(repository, digest);
    const head = await this.request(path, { method: 'HEAD' });
    await head.body?.cancel();
    if (head.ok) return digest;
    const start = await this.request(`/v2/${repository}/blobs/uploads/`, { method: 'POST' });
    if (start.status !== 202) throw new Error(`blob upload start failed: ${start.status} ${await start.text()}`);
    const target = new URL(start.headers.get('location') ?? '', this.baseUrl);
    target.searchParams.set('digest', digest);
    const put = await this.request(target.pathname + target.search, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array(data),
    });
    if (put.status !== 201) throw new Error(`blob upload failed: ${put.status} ${await put.text()}`);
    return digest;
  }

  /** PUTs a manifest (bytes as they are, or an object as JSON) and answers the registry's response. */
  async putManifest(
    repository: string,
    reference: string,
    manifest: object | Buffer,
    mediaType: string,
  ): Promise<Response> {
    const path = v2Path(repository, 'manifests/', reference);
    if (!path) throw unknownName(repository, reference);
    return this.request(path, {
      method: 'PUT',
      headers: { 'content-type': mediaType },
      body: Buffer.isBuffer(manifest) ? new Uint8Array(manifest) : JSON.stringify(manifest),
    });
  }

  /** Points `tag` at a manifest already read from the same repository (same bytes, same digest). */
  async tagManifest(repository: string, tag: string, fetched: FetchedManifest): Promise<string> {
    const res = await this.putManifest(repository, tag, fetched.raw, fetched.mediaType);
    if (!res.ok) throw new RegistryError(res.status, `writing manifest ${repository}:${tag} failed with ${res.status}`);
    return res.headers.get('docker-content-digest') ?? fetched.digest;
  }

  async deleteManifest(repository: string, digest: string): Promise<void> {
    const path = isDigest(digest) ? v2Path(repository, 'manifests/', digest) : undefined;
    if (!path) throw unknownName(repository, digest);
    const res = await this.request(path, { method: 'DELETE' });
    await res.body?.cancel();
    if (res.status === 405)
      throw new RegistryError(405, 'the registry refuses deletes: enable storage.delete.enabled in its configuration');
    if (!res.ok && res.status !== 404)
      throw new RegistryError(res.status, `deleting ${repository}@${digest} failed with ${res.status}`);
  }

  /** Pushes an image (or any OCI artifact); answers its digest ('' unless pushed), manifest and the PUT's status. */
  async pushImage(
    repository: string,
    tag: string,
    spec: ImageSpec,
  ): Promise<{ digest: string; manifest: object; status: number }> {
    const layers = [];
    for (const l of spec.layers)
      layers.push({ mediaType: MEDIA_TYPES.ociLayerGzip, digest: await this.pushBlob(repository, l), size: l.length });
    const configMediaType = spec.configMediaType ?? MEDIA_TYPES.ociConfig;
    const config = Buffer.from(
      JSON.stringify(
        spec.config ??
          (configMediaType === MEDIA_TYPES.ociConfig
            ? {
                architecture: 'amd64',
                os: 'linux',
                created: '2025-01-01T00:00:00Z',
                config: { Env: ['PATH=/usr/bin'] },
                rootfs: { type: 'layers', diff_ids: spec.layers.map(() => sha256('x')) },
              }
            : {}),
      ),
    );
    const manifest: Record<string, unknown> = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: configMediaType, digest: await this.pushBlob(repository, config), size: config.length },
      layers,
    };
    if (spec.artifactType) manifest.artifactType = spec.artifactType;
    const res = await this.putManifest(repository, tag, manifest, MEDIA_TYPES.ociManifest);
    await res.body?.cancel();
    if (res.status !== 201) return { digest: '', manifest, status: res.status };
    return {
      digest: res.headers.get('docker-content-digest') ?? sha256(JSON.stringify(manifest)),
      manifest,
      status: res.status,
    };
  }

  /** Like pushImage(), but anything other than 201 is an error; answers the digest. */
  async mustPushImage(repository: string, tag: string, spec: ImageSpec): Promise<string> {
    const pushed = await this.pushImage(repository, tag, spec);
    if (pushed.status !== 201)
      throw new RegistryError(
        pushed.status,
        `pushing ${repository}:${tag} to ${this.baseUrl} failed with ${pushed.status}`,
      );
    return pushed.digest;
  }

  /** Pushes an OCI image index of already pushed images (linux/amd64 unless `platform` says), tagged `tag`; answers the registry's response. */
  async pushIndex(
    repository: string,
    tag: string,
    children: { digest: string; manifest: object; platform?: { os: string; architecture: string } }[],
  ): Promise<Response> {
    const index = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociIndex,
      manifests: children.map((child) => ({
        mediaType: MEDIA_TYPES.ociManifest,
        digest: child.digest,
        size: JSON.stringify(child.manifest).length,
        platform: child.platform ?? { os: 'linux', architecture: 'amd64' },
      })),
    };
    return this.putManifest(repository, tag, index, MEDIA_TYPES.ociIndex);
  }

  /**
   * Copies an image (a manifest or a whole index) to another repository and tag in the same registry, e.g.
   * a fresh copy of the sample image for one test. Blobs are mounted across repositories (no data moves);
   * the manifest bytes are kept, so the digest is the same. Answers that digest.
   */
  async copyImage(from: string, to: string): Promise<string> {
    const src = parseImageName(from);
    const dst = parseImageName(to);
    const top = await this.getManifest(src.repository, src.reference);
    await this.copyManifestContent(src.repository, dst.repository, top);
    return this.tagManifest(dst.repository, dst.reference, top);
  }

  private async copyManifestContent(fromRepo: string, toRepo: string, m: FetchedManifest): Promise<void> {
    if (isIndex(m.mediaType)) {
      for (const child of m.manifest.manifests ?? []) {
        const fetched = await this.getManifest(fromRepo, child.digest);
        await this.copyManifestContent(fromRepo, toRepo, fetched);
        await this.tagManifest(toRepo, child.digest, fetched);
      }
      return;
    }
    const blobs = [m.manifest.config, ...(m.manifest.layers ?? [])].filter((d): d is Descriptor => !!d);
    for (const blob of blobs) await this.mountBlob(fromRepo, toRepo, blob.digest);
  }

  private async mountBlob(fromRepo: string, toRepo: string, digest: string): Promise<void> {
    const res = await this.expect(
      `/v2/${toRepo}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(fromRepo)}`,
      { method: 'POST' },
      [201, 202],
      `mounting ${digest} into ${toRepo}`,
    );
    await res.body?.cancel();
    if (res.status === 201) return;
    // The registry did not mount: upload the blob's bytes into the open session instead.
    const location = new URL(res.headers.get('location') ?? '', this.baseUrl);
    location.searchParams.set('digest', digest);
    const blob = await this.expect(blobPath(fromRepo, digest), {}, [200], `reading blob ${fromRepo}@${digest}`);
    const data = Buffer.from(await blob.arrayBuffer());
    await this.expect(
      location.toString(),
      { method: 'PUT', body: new Uint8Array(data), headers: { 'content-type': 'application/octet-stream' } },
      [201],
      `uploading ${digest} into ${toRepo}`,
    );
  }
}

function normalizePath(path: string): string {
  return posix.normalize(path.replace(/^(\.\/|\/)+/, '')).replace(/\/$/, '');
}

/** The installed packages of an image in a registry (from var/lib/dpkg/status). */
export async function readInstalledPackages(registry: RegistryClient, image: string): Promise<Map<string, string>> {
  const { repository, reference } = parseImageName(image);
  const status = await registry.readImageFile(repository, reference, 'var/lib/dpkg/status');
  if (!status) throw new Error(`${image} has no var/lib/dpkg/status`);
  return parseDpkgStatus(status.toString('utf8'));
}
