/**
 * A small OCI distribution client for Harbor's /v2/: follows Harbor's auth challenge (Bearer token from
 * /service/token with the service robot's Basic credentials, or Basic directly), resolves digests,
 * reads manifests and image configs, and reads single files out of an image's layers.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { posix } from 'node:path';
import * as tar from 'tar-stream';
import { isFullRepositoryName } from '@harbor-patching/shared/harbor/names';
import { hasDotSegment } from '../harbor/client';

export interface RegistryCredentials {
  username: string;
  password: string;
}

/** A failed registry call. status 0 = the registry could not be reached. */
export class RegistryError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
  get transient(): boolean {
    return this.status === 0 || this.status >= 500;
  }
  get auth(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string; variant?: string };
}

export interface Manifest {
  mediaType: string;
  digest: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  /** copa writes its BaseImage marker into `config.labels` (lowercase key, next to the OCI `Labels`). */
  config?: { Labels?: Record<string, string> | null; labels?: Record<string, string> | null };
}

export interface OsRelease {
  id: string;
  version_id: string;
  pretty_name?: string;
}

/** Where copa finds installed packages: dpkg (and distroless `status.d/`), apk, rpm (old and new locations). */
export const PACKAGE_DATABASES = [
  'var/lib/dpkg/status',
  'var/lib/dpkg/status.d/',
  'lib/apk/db/installed',
  'var/lib/rpm/Packages',
  'var/lib/rpm/Packages.db',
  'var/lib/rpm/rpmdb.sqlite',
  'usr/lib/sysimage/rpm/Packages.db',
  'usr/lib/sysimage/rpm/rpmdb.sqlite',
];

export function isIndex(m: Pick<Manifest, 'mediaType'>): boolean {
  return INDEX_TYPES.has(m.mediaType);
}

function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  const re = /(\w+)="([^"]*)"/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(header))) params[m[1].toLowerCase()] = m[2];
  return { scheme, params };
}

/** A path as one image layer holds it: a file's content, a symlink's target, or deleted (a whiteout). */
export type LayerFile = { type: 'file'; data: Buffer } | { type: 'symlink'; target: string } | { type: 'deleted' };

/** How many layers' looked-up files a client keeps (each a few hundred bytes: os-release). */
const LAYER_FILES_KEPT = 2000;

export class RegistryClient {
  private tokens = new Map<string, string>();
  private readonly layerFilesKept = new Map<string, Promise<Map<string, LayerFile>>>();

  constructor(
    /** Origin serving /v2/, e.g. Harbor's http://127.0.0.1:8380. */
    readonly baseUrl: string,
    private readonly credentials?: RegistryCredentials,
    private readonly timeoutMs = 30_000,
    /** The fetch to call the registry with (config/outbound.ts: trusts PATCHING_CA_FILE). */
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  /** host[:port] as used in image references. */
  get host(): string {
    return new URL(this.baseUrl).host;
  }

  private basic(): string | undefined {
    if (!this.credentials) return undefined;
    const { username, password } = this.credentials;
    return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  }

  private async send(
    url: string,
    init: RequestInit,
    authorization?: string,
    timeoutMs = this.timeoutMs,
  ): Promise<Response> {
    const headers = new Headers(init.headers);
    if (authorization) headers.set('authorization', authorization);
    try {
      return await this.fetchImpl(url, {
        ...init,
        headers,
        redirect: 'follow',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new RegistryError(0, `the registry at ${this.baseUrl} could not be reached: ${(err as Error).message}`);
    }
  }

  private async token(challenge: Record<string, string>, scope: string): Promise<string> {
    const key = `${challenge.realm}|${challenge.service}|${scope}`;
    const cached = this.tokens.get(key);
    if (cached) return cached;
    const url = new URL(challenge.realm);
    if (challenge.service) url.searchParams.set('service', challenge.service);
    url.searchParams.set('scope', scope);
    const res = await this.send(url.toString(), { method: 'GET' }, this.basic());
    if (!res.ok) {
      throw new RegistryError(
        res.status,
        `the registry token service refused the service account (HTTP ${res.status}); check the robot name and secret`,
      );
    }
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(502, 'the registry token service returned no token');
    this.tokens.set(key, `Bearer ${token}`);
    return `Bearer ${token}`;
  }

  /**
   * A bearer token of Harbor's token service for `actions` on one repository, or undefined when the registry
   * takes Basic credentials. Tools that get it (cosign) then act with exactly these rights: Harbor lets a
   * cosign holding a push token read an unsigned manifest of a project that enforces signatures.
   */
  async bearerToken(repository: string, actions = 'pull,push'): Promise<string | undefined> {
    const res = await this.send(`${this.baseUrl}/v2/`, { method: 'GET' });
    await res.body?.cancel();
    const { scheme, params } = parseChallenge(res.headers.get('www-authenticate') ?? '');
    if (res.status !== 401 || scheme !== 'bearer' || !params.realm) return undefined;
    const scope = `repository:${repository}:${actions}`;
    // A fresh one: the tool may run longer than a cached token has left.
    this.tokens.delete(`${params.realm}|${params.service}|${scope}`);
    return (await this.token(params, scope)).slice('Bearer '.length);
  }

  /** GET/HEAD under /v2/<repository>/..., answering Harbor's auth challenge once. */
  async request(repository: string, path: string, init: RequestInit = {}, actions = 'pull'): Promise<Response> {
    if (!isFullRepositoryName(repository) || hasDotSegment(path)) {
      // `/v2/library/../other/app` would reach another project's repository once a URL parser resolves it.
      throw new Error(
        `refusing to ask the registry about ${JSON.stringify(`${repository}/${path}`)}: not a valid name`,
      );
    }
    const url = `${this.baseUrl}/v2/${repository}/${path}`;
    const scope = `repository:${repository}:${actions}`;
    const cachedKey = [...this.tokens.keys()].find((k) => k.endsWith(`|${scope}`));
    let res = await this.send(url, init, cachedKey ? this.tokens.get(cachedKey) : undefined);
    if (res.status === 401) {
      await res.body?.cancel();
      const { scheme, params } = parseChallenge(res.headers.get('www-authenticate') ?? '');
      if (cachedKey) this.tokens.delete(cachedKey);
      const authorization = scheme === 'bearer' && params.realm ? await this.token(params, scope) : this.basic();
      res = await this.send(url, init, authorization);
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new RegistryError(
        res.status,
        `the registry refused the service account for ${repository} (HTTP ${res.status}); give the robot pull and push access to the project`,
      );
    }
    if (res.status >= 500) {
      await res.body?.cancel();
      throw new RegistryError(
        res.status,
        `the registry failed on ${repository}/${path} (HTTP ${res.status}); try again later`,
      );
    }
    return res;
  }

  /** The digest a tag (or digest) points at, or undefined when it does not exist. */
  async resolveDigest(repository: string, reference: string): Promise<string | undefined> {
    const res = await this.request(repository, `manifests/${reference}`, {
      method: 'HEAD',
      headers: { accept: MANIFEST_ACCEPT },
    });
    if (res.status === 404) return undefined;
    if (!res.ok)
      throw new RegistryError(res.status, `resolving ${repository}:${reference} failed (HTTP ${res.status})`);
    const digest = res.headers.get('docker-content-digest');
    if (digest) return digest;
    return (await this.getManifest(repository, reference))?.digest;
  }

  /** Every tag of the repository (empty when the repository does not exist). */
  async listTags(repository: string): Promise<string[]> {
    const tags: string[] = [];
    let path = 'tags/list?n=1000';
    for (;;) {
      const res = await this.request(repository, path);
      if (res.status === 404) {
        await res.body?.cancel();
        return tags;
      }
      if (!res.ok) throw new RegistryError(res.status, `listing tags of ${repository} failed (HTTP ${res.status})`);
      const body = (await res.json()) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      const next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '');
      if (!next) return tags;
      const url = new URL(next[1], this.baseUrl);
      path = `tags/list${url.search}`;
    }
  }

  async getManifest(repository: string, reference: string): Promise<Manifest | undefined> {
    const res = await this.request(repository, `manifests/${reference}`, { headers: { accept: MANIFEST_ACCEPT } });
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok)
      throw new RegistryError(res.status, `reading manifest ${repository}:${reference} failed (HTTP ${res.status})`);
    const text = await res.text();
    const body = JSON.parse(text) as Omit<Manifest, 'digest'>;
    const digest =
      res.headers.get('docker-content-digest') ??
      `sha256:${(await import('node:crypto')).createHash('sha256').update(text).digest('hex')}`;
    return { ...body, mediaType: body.mediaType ?? res.headers.get('content-type') ?? '', digest };
  }

  /**
   * Points `tag` at the manifest `digest` (creating or moving it) by pushing the same manifest bytes
   * under the tag, as `docker tag` + `docker push` do. Harbor answers 412 when an immutable rule
   * protects an existing tag; that comes back as a RegistryError with status 412.
   */
  async tagManifest(repository: string, digest: string, tag: string): Promise<void> {
    const got = await this.request(repository, `manifests/${digest}`, { headers: { accept: MANIFEST_ACCEPT } });
    if (!got.ok) {
      await got.body?.cancel();
      throw new RegistryError(got.status, `reading manifest ${repository}@${digest} failed (HTTP ${got.status})`);
    }
    const contentType = got.headers.get('content-type') ?? 'application/vnd.oci.image.manifest.v1+json';
    const bytes = new Uint8Array(await got.arrayBuffer());
    const put = await this.request(
      repository,
      `manifests/${encodeURIComponent(tag)}`,
      { method: 'PUT', body: bytes, headers: { 'content-type': contentType } },
      'pull,push',
    );
    if (!put.ok) {
      const detail = (await put.text().catch(() => '')).slice(0, 200);
      throw new RegistryError(
        put.status,
        `tagging ${repository}@${digest} as ${tag} failed (HTTP ${put.status}${detail ? `: ${detail}` : ''})`,
      );
    }
    await put.body?.cancel();
    const pushed = put.headers.get('docker-content-digest');
    if (pushed && pushed !== digest) {
      throw new RegistryError(502, `tagging ${repository}@${digest} as ${tag} stored ${pushed} instead`);
    }
  }

  /** Uploads a blob (monolithic: POST, then PUT with the digest) unless the repository has it; answers its digest. */
  async pushBlob(repository: string, bytes: Uint8Array<ArrayBuffer>): Promise<string> {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const head = await this.request(repository, `blobs/${digest}`, { method: 'HEAD' }, 'pull,push');
    await head.body?.cancel();
    if (head.ok) return digest;
    const start = await this.request(repository, 'blobs/uploads/', { method: 'POST' }, 'pull,push');
    await start.body?.cancel();
    const location = start.headers.get('location');
    if (start.status !== 202 || !location) {
      throw new RegistryError(start.status, `starting a blob upload to ${repository} failed (HTTP ${start.status})`);
    }
    const target = new URL(location, this.baseUrl);
    const prefix = `/v2/${repository}/`;
    if (!target.pathname.startsWith(prefix)) {
      throw new RegistryError(
        502,
        `the registry answered an upload location outside ${repository}: ${target.pathname}`,
      );
    }
    target.searchParams.set('digest', digest);
    const put = await this.request(
      repository,
      `${target.pathname.slice(prefix.length)}${target.search}`,
      { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } },
      'pull,push',
    );
    await put.body?.cancel();
    if (put.status !== 201)
      throw new RegistryError(put.status, `uploading a blob to ${repository} failed (HTTP ${put.status})`);
    return digest;
  }

  /**
   * Pushes `content` as an OCI 1.1 artifact that refers to `subject` (the referrers API lists it): an image
   * manifest with `artifactType`, a `{}` config of the same media type and one layer, pushed by digest.
   * The config carries the type too because Harbor types an artifact (and its referrer descriptor's
   * artifactType) by the config media type. Answers its digest.
   */
  async pushReferrer(
    repository: string,
    subject: Pick<Descriptor, 'mediaType' | 'digest' | 'size'>,
    artifactType: string,
    content: { mediaType: string; bytes: Uint8Array<ArrayBuffer>; annotations?: Record<string, string> },
    annotations: Record<string, string> = {},
  ): Promise<string> {
    const empty = new TextEncoder().encode('{}');
    const emptyDigest = await this.pushBlob(repository, empty);
    const layerDigest = await this.pushBlob(repository, content.bytes);
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType,
      config: { mediaType: artifactType, digest: emptyDigest, size: empty.length },
      layers: [
        {
          mediaType: content.mediaType,
          digest: layerDigest,
          size: content.bytes.length,
          ...(content.annotations ? { annotations: content.annotations } : {}),
        },
      ],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations,
    };
    const bytes = new TextEncoder().encode(JSON.stringify(manifest));
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const put = await this.request(
      repository,
      `manifests/${digest}`,
      { method: 'PUT', body: bytes, headers: { 'content-type': manifest.mediaType } },
      'pull,push',
    );
    if (!put.ok) {
      const detail = (await put.text().catch(() => '')).slice(0, 200);
      throw new RegistryError(
        put.status,
        `pushing a referrer of ${repository}@${subject.digest} failed (HTTP ${put.status}${detail ? `: ${detail}` : ''})`,
      );
    }
    await put.body?.cancel();
    return digest;
  }

  /** The size and media type of a manifest (a referrer's subject descriptor). */
  async describeManifest(
    repository: string,
    digest: string,
  ): Promise<Pick<Descriptor, 'mediaType' | 'digest' | 'size'>> {
    const res = await this.request(repository, `manifests/${digest}`, {
      method: 'HEAD',
      headers: { accept: MANIFEST_ACCEPT },
    });
    await res.body?.cancel();
    const size = Number(res.headers.get('content-length'));
    const mediaType = res.headers.get('content-type');
    if (!res.ok || !mediaType || !Number.isFinite(size) || size <= 0) {
      throw new RegistryError(
        res.status || 502,
        `reading manifest ${repository}@${digest} failed (HTTP ${res.status})`,
      );
    }
    return { mediaType, digest, size };
  }

  async blob(repository: string, digest: string): Promise<Response> {
    const res = await this.request(repository, `blobs/${digest}`);
    if (!res.ok) {
      await res.body?.cancel();
      throw new RegistryError(res.status, `reading blob ${digest} of ${repository} failed (HTTP ${res.status})`);
    }
    return res;
  }

  async getConfig(repository: string, manifest: Manifest): Promise<ImageConfig> {
    if (!manifest.config) throw new RegistryError(400, `${repository}@${manifest.digest} has no image config`);
    return (await (await this.blob(repository, manifest.config.digest)).json()) as ImageConfig;
  }

  /**
   * The tar entries of one layer, streamed (the caller consumes or skips each entry). The layer's
   * streams are closed when the caller stops iterating.
   */
  private async *layerEntries(repository: string, layer: Descriptor) {
    if (/zstd/.test(layer.mediaType)) {
      throw new RegistryError(415, `layer ${layer.digest} is zstd-compressed, which this service cannot read`);
    }
    const res = await this.blob(repository, layer.digest);
    const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
    const gz = /gzip/.test(layer.mediaType) || layer.mediaType === 'application/vnd.docker.image.rootfs.diff.tar.gzip';
    const stream = gz ? body.pipe(createGunzip()) : body;
    const extract = tar.extract();
    stream.pipe(extract);
    try {
      yield* extract;
    } finally {
      body.destroy();
      stream.destroy();
      extract.destroy();
    }
  }

  /**
   * Reads files out of an image's layers, top layer first; the topmost layer that has a path wins.
   * Returns each found path as file content or symlink target. Stops reading once all paths are found.
   */
  async findFiles(
    repository: string,
    manifest: Manifest,
    paths: string[],
    maxBytes = 1 << 20,
  ): Promise<Map<string, LayerFile>> {
    const wanted = [...new Set(paths.map((p) => p.replace(/^\/+/, '')))].sort();
    const found = new Map<string, LayerFile>();
    for (const layer of [...(manifest.layers ?? [])].reverse()) {
      if (found.size === wanted.length) break;
      const inLayer = await this.layerFiles(repository, layer, wanted, maxBytes);
      for (const [k, v] of inLayer) if (!found.has(k)) found.set(k, v);
    }
    return found;
  }

  /**
   * The wanted paths one layer holds (or deletes), kept by layer digest: a layer never changes, and the images
   * of a project mostly share their base layers, so a policy run reads each base layer's os-release once. Tasks
   * that start together share one read. A failed read is not kept.
   */
  private layerFiles(
    repository: string,
    layer: Descriptor,
    wanted: readonly string[],
    maxBytes: number,
  ): Promise<Map<string, LayerFile>> {
    const key = `${layer.digest}\u0000${maxBytes}\u0000${wanted.join('\u0000')}`;
    let files = this.layerFilesKept.get(key);
    if (!files) {
      files = this.readLayerFiles(repository, layer, new Set(wanted), maxBytes);
      if (this.layerFilesKept.size >= LAYER_FILES_KEPT)
        this.layerFilesKept.delete(this.layerFilesKept.keys().next().value!);
      this.layerFilesKept.set(key, files);
      files.catch(() => {
        if (this.layerFilesKept.get(key) === files) this.layerFilesKept.delete(key);
      });
    }
    return files;
  }

  private async readLayerFiles(
    repository: string,
    layer: Descriptor,
    wanted: ReadonlySet<string>,
    maxBytes: number,
  ): Promise<Map<string, LayerFile>> {
    const inLayer = new Map<string, LayerFile>();
    for await (const entry of this.layerEntries(repository, layer)) {
      const name = entry.header.name.replace(/^\.?\/+/, '');
      const base = posix.basename(name);
      const whiteout = base.startsWith('.wh.') ? posix.join(posix.dirname(name), base.slice(4)) : undefined;
      if (whiteout && wanted.has(whiteout)) inLayer.set(whiteout, { type: 'deleted' });
      if (wanted.has(name)) {
        if (entry.header.type === 'symlink' && entry.header.linkname) {
          inLayer.set(name, { type: 'symlink', target: entry.header.linkname });
        } else if (entry.header.type === 'file' && (entry.header.size ?? 0) <= maxBytes) {
          const chunks: Buffer[] = [];
          for await (const c of entry) chunks.push(c as Buffer);
          inLayer.set(name, { type: 'file', data: Buffer.concat(chunks) });
          if (inLayer.size === wanted.size) break;
          continue;
        }
      }
      entry.resume();
      if (inLayer.size === wanted.size) break;
    }
    return inLayer;
  }

  /**
   * The first package database copa could update that the image's layers hold (dpkg's status file or
   * distroless `status.d`, apk's or rpm's database), top layer first; undefined when there is none.
   */
  async findPackageDatabase(repository: string, manifest: Manifest): Promise<string | undefined> {
    for (const layer of [...(manifest.layers ?? [])].reverse()) {
      for await (const entry of this.layerEntries(repository, layer)) {
        const name = entry.header.name.replace(/^\.?\/+/, '');
        entry.resume();
        if (entry.header.type !== 'file') continue;
        if (PACKAGE_DATABASES.some((db) => (db.endsWith('/') ? name.startsWith(db) : name === db))) return name;
      }
    }
    return undefined;
  }

  /** Reads /etc/os-release (following the usual symlink to /usr/lib/os-release); undefined when the image has none. */
  async readOsRelease(repository: string, manifest: Manifest): Promise<OsRelease | undefined> {
    const etc = 'etc/os-release';
    const usr = 'usr/lib/os-release';
    const files = await this.findFiles(repository, manifest, [etc, usr]);
    let f = files.get(etc);
    if (f?.type === 'symlink') {
      const target = posix
        .normalize(f.target.startsWith('/') ? f.target : posix.join('etc', f.target))
        .replace(/^\/+/, '');
      f = files.get(target);
    }
    if (!f || f.type !== 'file') f = files.get(usr);
    if (!f || f.type !== 'file') return undefined;
    return parseOsRelease(f.data.toString('utf8'));
  }
}

export function parseOsRelease(text: string): OsRelease | undefined {
  const values: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    values[m[1]] = m[2].replace(/^["']|["']$/g, '');
  }
  if (!values.ID) return undefined;
  return { id: values.ID, version_id: values.VERSION_ID ?? '', pretty_name: values.PRETTY_NAME };
}
