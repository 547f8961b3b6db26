// Test helpers: a registry to work against, synthetic images pushed through the distribution API (optionally
// through the stand-in's /v2/ with Harbor's token flow, like crane or skopeo), and small HTTP helpers.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { registryUrl as sharedRegistryUrl } from '../../lib/stack';

export const sha256 = (b: Buffer | string) => 'sha256:' + createHash('sha256').update(b).digest('hex');
export const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

let own: { url: string; proc: ChildProcess; dir: string } | undefined;

/** The shared registry when it runs, else a private docker-registry in a temp dir (stopped by stopOwnRegistry). */
export async function ensureRegistry(): Promise<string> {
  try {
    if ((await fetch(`${sharedRegistryUrl}/v2/`)).ok) return sharedRegistryUrl;
  } catch {
    /* not running: start our own */
  }
  if (own) return own.url;
  const dir = await mkdtemp(join(tmpdir(), 'harbor-sim-registry-'));
  const port = await freePort();
  const config = `version: 0.1
storage:
  filesystem:
    rootdirectory: ${dir}/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
log:
  level: error
`;
  await writeFile(join(dir, 'config.yml'), config);
  const proc = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/v2/`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  own = { url, proc, dir };
  // Never keep a test process alive, and never leave the registry behind when it exits.
  proc.unref();
  process.once('exit', () => {
    proc.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  return url;
}

export async function stopOwnRegistry(): Promise<void> {
  if (!own) return;
  own.proc.kill();
  await rm(own.dir, { recursive: true, force: true });
  own = undefined;
}

// ---------------------------------------------------------------------------------------------

export interface Pkg {
  name: string;
  version: string;
  status?: string;
}

export function dpkgStatus(packages: Pkg[]): string {
  return packages
    .map(
      (p) =>
        `Package: ${p.name}\nStatus: ${p.status ?? 'install ok installed'}\nArchitecture: amd64\nVersion: ${p.version}\nDescription: ${p.name}\n`,
    )
    .join('\n');
}

export type LayerEntry = { path: string; content?: string; type?: 'file' | 'symlink' | 'directory'; linkname?: string };

export async function layer(entries: LayerEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((r) => pack.on('end', () => r()));
  for (const e of entries) {
    if (e.type === 'symlink') pack.entry({ name: e.path, type: 'symlink', linkname: e.linkname });
    else if (e.type === 'directory') pack.entry({ name: e.path, type: 'directory' });
    else pack.entry({ name: e.path }, e.content ?? '');
  }
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

export const debianOsRelease =
  'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n';

export interface ImageSpec {
  layers: Buffer[];
  configMediaType?: string;
  config?: Record<string, unknown>;
  artifactType?: string;
}

export interface Creds {
  username: string;
  password: string;
}

/** A tiny distribution client that follows Harbor's Bearer challenge (realm/service/scope) like crane does. */
export class OciClient {
  private tokens = new Map<string, string>();
  constructor(
    readonly base: string,
    readonly creds?: Creds,
  ) {}

  private realm?: { realm: string; service: string };

  /** Like docker clients: ping /v2/ to learn the token realm, then ask for the scope the operation needs. */
  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const url = this.base + path;
    const repo = path.match(/^\/v2\/(.+?)\/(blobs|manifests|tags)\//)?.[1] ?? '';
    const method = (init.method ?? 'GET').toUpperCase();
    const scope = repo ? `repository:${repo}:${method === 'GET' || method === 'HEAD' ? 'pull' : 'pull,push'}` : '';
    if (!this.realm) {
      const ping = await fetch(this.base + '/v2/');
      const m = (ping.headers.get('www-authenticate') ?? '').match(/^Bearer realm="([^"]+)",service="([^"]+)"/);
      if (m) this.realm = { realm: m[1], service: m[2] };
    }
    const headers = new Headers(init.headers);
    if (this.realm && scope) {
      let token = this.tokens.get(scope);
      if (!token) {
        const tokenUrl = new URL(this.realm.realm);
        tokenUrl.searchParams.set('service', this.realm.service);
        tokenUrl.searchParams.set('scope', scope);
        const tokenHeaders: Record<string, string> = {};
        if (this.creds)
          tokenHeaders.authorization =
            'Basic ' + Buffer.from(`${this.creds.username}:${this.creds.password}`).toString('base64');
        const tr = await fetch(tokenUrl, { headers: tokenHeaders });
        if (!tr.ok) throw new Error(`token request failed: ${tr.status} ${await tr.text()}`);
        token = ((await tr.json()) as { token: string }).token;
        this.tokens.set(scope, token);
      }
      headers.set('authorization', `Bearer ${token}`);
    }
    return fetch(url, { ...init, headers, redirect: 'manual' });
  }

  async pushBlob(repo: string, data: Buffer): Promise<string> {
    const digest = sha256(data);
    const head = await this.request(`/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
    if (head.ok) return digest;
    const start = await this.request(`/v2/${repo}/blobs/uploads/`, { method: 'POST' });
    if (start.status !== 202) throw new Error(`blob upload start failed: ${start.status} ${await start.text()}`);
    const location = start.headers.get('location')!;
    const target = new URL(location, this.base);
    target.searchParams.set('digest', digest);
    const put = await this.request(target.pathname + target.search, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array(data),
    });
    if (put.status !== 201) throw new Error(`blob upload failed: ${put.status} ${await put.text()}`);
    return digest;
  }

  async putManifest(repo: string, reference: string, manifest: object, mediaType: string): Promise<Response> {
    return this.request(`/v2/${repo}/manifests/${reference}`, {
      method: 'PUT',
      headers: { 'content-type': mediaType },
      body: JSON.stringify(manifest),
    });
  }

  /** Pushes an OCI image index of already pushed linux/amd64 images, tagged `tag`; answers the registry's response. */
  async pushIndex(repo: string, tag: string, children: { digest: string; manifest: object }[]): Promise<Response> {
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: children.map((child) => ({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: child.digest,
        size: JSON.stringify(child.manifest).length,
        platform: { os: 'linux', architecture: 'amd64' },
      })),
    };
    return this.putManifest(repo, tag, index, 'application/vnd.oci.image.index.v1+json');
  }

  /** Pushes an image (or any OCI artifact) and returns its manifest digest. */
  async pushImage(
    repo: string,
    tag: string,
    spec: ImageSpec,
  ): Promise<{ digest: string; manifest: object; status: number }> {
    const layerDescs = [];
    for (const l of spec.layers)
      layerDescs.push({
        mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
        digest: await this.pushBlob(repo, l),
        size: l.length,
      });
    const configMediaType = spec.configMediaType ?? 'application/vnd.oci.image.config.v1+json';
    const config = Buffer.from(
      JSON.stringify(
        spec.config ??
          (configMediaType === 'application/vnd.oci.image.config.v1+json'
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
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: configMediaType, digest: await this.pushBlob(repo, config), size: config.length },
      layers: layerDescs,
    };
    if (spec.artifactType) manifest.artifactType = spec.artifactType;
    const res = await this.putManifest(repo, tag, manifest, 'application/vnd.oci.image.manifest.v1+json');
    const body = await res.text();
    if (res.status !== 201) return { digest: '', manifest, status: res.status };
    void body;
    return {
      digest: res.headers.get('docker-content-digest') ?? sha256(JSON.stringify(manifest)),
      manifest,
      status: res.status,
    };
  }
}

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

export const basic = (username: string, password: string) =>
  'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');

export async function json<T = unknown>(res: Response): Promise<T> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`expected JSON, got ${res.status}: ${text.slice(0, 200)}`);
  }
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
