// A small client of the real distribution registry behind the stand-in (no auth: it listens on loopback).
// Names are used as they are: one the registry could not hold (`library/../other/app`) is an unknown
// repository, never a URL that a parser would resolve into another one.
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { isDigest, isFullRepositoryName, isReference } from '@harbor-patching/shared/harbor/names';

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
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
}

export interface FetchedManifest {
  digest: string;
  mediaType: string;
  size: number;
  manifest: Manifest;
  raw: Buffer;
}

export class RegistryError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** `/v2/<repository>/<rest>`, or undefined when the repository or reference is not a valid name. */
function v2Path(repository: string, rest: string, reference?: string): string | undefined {
  if (!isFullRepositoryName(repository)) return undefined;
  if (reference !== undefined && !isReference(reference)) return undefined;
  return `/v2/${repository}/${rest}${reference ?? ''}`;
}

const unknownName = (repository: string, reference = '') =>
  new RegistryError(
    404,
    `name unknown: ${JSON.stringify(repository)}${reference ? ` ${JSON.stringify(reference)}` : ''}`,
  );

export class RegistryClient {
  private manifestCache = new Map<string, FetchedManifest>();
  private blobJsonCache = new Map<string, unknown>();

  constructor(readonly baseUrl: string) {}

  private async call(path: string, init?: RequestInit): Promise<Response> {
    try {
      return await fetch(this.baseUrl + path, init);
    } catch (err) {
      throw new RegistryError(
        502,
        `registry at ${this.baseUrl} is unreachable (${(err as Error).message}); start it with e2e/stack/stack.sh start`,
      );
    }
  }

  async ping(): Promise<boolean> {
    try {
      return (await fetch(this.baseUrl + '/v2/')).ok;
    } catch {
      return false;
    }
  }

  async catalog(): Promise<string[]> {
    const names: string[] = [];
    let path: string | null = '/v2/_catalog?n=1000';
    while (path) {
      const res = await this.call(path);
      if (!res.ok) throw new RegistryError(res.status, `catalog listing failed with ${res.status}`);
      const body = (await res.json()) as { repositories?: string[] };
      names.push(...(body.repositories ?? []));
      const link = res.headers.get('link');
      const next = link?.match(/<([^>]+)>;\s*rel="next"/);
      path = next ? next[1] : null;
    }
    return names;
  }

  async tags(repository: string): Promise<string[]> {
    const path = v2Path(repository, 'tags/list?n=10000');
    if (!path) return [];
    const res = await this.call(path);
    if (res.status === 404) return [];
    if (!res.ok) throw new RegistryError(res.status, `tag listing of ${repository} failed with ${res.status}`);
    const body = (await res.json()) as { tags?: string[] | null };
    return body.tags ?? [];
  }

  /** Whether the registry knows the repository (Harbor's repository record exists). */
  async hasRepository(repository: string): Promise<boolean> {
    const path = v2Path(repository, 'tags/list?n=1');
    if (!path) return false;
    const res = await this.call(path);
    await res.body?.cancel();
    // A repository that holds only untagged artifacts has no tag list (404) but is still Harbor's repository.
    if (res.status === 404) return (await this.catalog()).includes(repository);
    if (!res.ok) throw new RegistryError(res.status, `looking up ${repository} failed with ${res.status}`);
    return true;
  }

  /** The digest a tag or digest reference resolves to, or undefined when it does not exist. */
  async resolve(repository: string, reference: string): Promise<string | undefined> {
    const path = v2Path(repository, 'manifests/', reference);
    if (!path) return undefined;
    const res = await this.call(path, {
      method: 'HEAD',
      headers: { accept: MANIFEST_ACCEPT },
    });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new RegistryError(res.status, `resolving ${repository}:${reference} failed with ${res.status}`);
    return res.headers.get('docker-content-digest') ?? undefined;
  }

  async manifest(repository: string, reference: string): Promise<FetchedManifest | undefined> {
    if (reference.startsWith('sha256:')) {
      const cached = this.manifestCache.get(reference);
      if (cached) return cached;
    }
    const path = v2Path(repository, 'manifests/', reference);
    if (!path) return undefined;
    const res = await this.call(path, { headers: { accept: MANIFEST_ACCEPT } });
    if (res.status === 404) return undefined;
    if (!res.ok)
      throw new RegistryError(res.status, `reading manifest ${repository}:${reference} failed with ${res.status}`);
    const raw = Buffer.from(await res.arrayBuffer());
    const manifest = JSON.parse(raw.toString('utf8')) as Manifest;
    const fetched: FetchedManifest = {
      digest: res.headers.get('docker-content-digest') ?? '',
      mediaType: manifest.mediaType ?? res.headers.get('content-type') ?? '',
      size: raw.length,
      manifest,
      raw,
    };
    if (fetched.digest) this.manifestCache.set(fetched.digest, fetched);
    return fetched;
  }

  async putManifest(repository: string, reference: string, raw: Buffer, mediaType: string): Promise<string> {
    const path = v2Path(repository, 'manifests/', reference);
    if (!path) throw unknownName(repository, reference);
    const res = await this.call(path, {
      method: 'PUT',
      headers: { 'content-type': mediaType },
      body: new Uint8Array(raw),
    });
    if (!res.ok)
      throw new RegistryError(res.status, `writing manifest ${repository}:${reference} failed with ${res.status}`);
    return res.headers.get('docker-content-digest') ?? '';
  }

  async deleteManifest(repository: string, digest: string): Promise<void> {
    const path = isDigest(digest) ? v2Path(repository, 'manifests/', digest) : undefined;
    if (!path) throw unknownName(repository, digest);
    const res = await this.call(path, { method: 'DELETE' });
    if (res.status === 405)
      throw new RegistryError(405, 'the registry refuses deletes: enable storage.delete.enabled in its configuration');
    if (!res.ok && res.status !== 404)
      throw new RegistryError(res.status, `deleting ${repository}@${digest} failed with ${res.status}`);
  }

  async blobJson<T>(repository: string, digest: string): Promise<T> {
    const cached = this.blobJsonCache.get(digest);
    if (cached) return cached as T;
    const path = isDigest(digest) ? v2Path(repository, 'blobs/', digest) : undefined;
    if (!path) throw unknownName(repository, digest);
    const res = await this.call(path);
    if (!res.ok) throw new RegistryError(res.status, `reading blob ${repository}@${digest} failed with ${res.status}`);
    const value = (await res.json()) as T;
    this.blobJsonCache.set(digest, value);
    return value;
  }

  /** A layer as an uncompressed byte stream (gzip layers are inflated on the fly, never buffered whole). */
  async layerStream(repository: string, layer: Descriptor): Promise<Readable> {
    const path = isDigest(layer.digest) ? v2Path(repository, 'blobs/', layer.digest) : undefined;
    if (!path) throw unknownName(repository, layer.digest);
    const res = await this.call(path);
    if (!res.ok || !res.body)
      throw new RegistryError(res.status, `reading layer ${repository}@${layer.digest} failed with ${res.status}`);
    const stream = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
    if (/gzip/.test(layer.mediaType)) return stream.pipe(createGunzip());
    if (/zstd/.test(layer.mediaType))
      throw new RegistryError(415, `zstd layers are not supported by the stand-in's scanner (${layer.digest})`);
    return stream;
  }
}
