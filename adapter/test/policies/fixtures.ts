/**
 * Test fixtures for policy evaluation: small distinct images pushed to the real local registry
 * (each with its own digest), the Harbor stand-in over it, and scan results set in the stand-in.
 */
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarborSim, type HarborSim } from '@harbor-patching/harbor-sim';
import { buildkitAddr, copaPath, registryUrl } from '@harbor-patching/oci-testkit';
import { startAdapter, type RunningAdapter, type StartOptions } from '../../src/app';
import type { Config } from '../../src/config/config';
import { HarborClient } from '../../src/harbor/client';

export const ROBOT = { name: 'robot$patcher', secret: `Robot-${randomBytes(8).toString('hex')}` };

/** Everything the service robot needs, including webhook policy management. */
const ROBOT_ACCESS = [
  ...[
    'repository:pull',
    'repository:push',
    'repository:list',
    'repository:read',
    'artifact:read',
    'artifact:list',
    'artifact:create',
    'artifact:delete',
    'artifact-addition:read',
    'tag:list',
    'tag:create',
    'tag:delete',
    'scan:create',
    'scan:read',
    'artifact-label:create',
    'artifact-label:delete',
    'label:read',
    'label:list',
    'immutable-tag:list',
    'notification-policy:read',
    'notification-policy:list',
    'notification-policy:create',
    'notification-policy:update',
  ].map((s) => {
    const [resource, action] = s.split(':');
    return { resource, action };
  }),
];

export function uniqueProject(prefix = 'pol'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export async function startSim(opts: { scanDelayMs?: number; advisoriesFile?: string } = {}): Promise<HarborSim> {
  return startHarborSim({
    port: 0,
    registryUrl,
    seed: 'empty',
    scanDelayMs: opts.scanDelayMs ?? 50,
    advisoriesFile: opts.advisoriesFile,
    robots: [
      {
        name: ROBOT.name,
        secret: ROBOT.secret,
        level: 'system',
        permissions: [{ kind: 'project', namespace: '*', access: ROBOT_ACCESS }],
      },
    ],
  });
}

/** The whole adapter over the stand-in as the service robot, with the local copa and buildkitd. */
export function startTestAdapter(
  sim: HarborSim,
  dataDir: string,
  settings: Partial<Config> = {},
  options: StartOptions = {},
): Promise<RunningAdapter> {
  return startAdapter(
    {
      port: 0,
      harborUrl: sim.url,
      robotName: ROBOT.name,
      robotSecret: ROBOT.secret,
      dataDir,
      copaPath,
      buildkitAddr,
      logLevel: 'silent',
      validateResponses: true,
      ...settings,
    },
    options,
  );
}

export function robotClient(sim: HarborSim): HarborClient {
  return new HarborClient(sim.url, { kind: 'basic', username: ROBOT.name, password: ROBOT.secret });
}

export function tempDir(prefix = 'hp-policies-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function putBlob(repository: string, data: Buffer): Promise<string> {
  const digest = sha256(data);
  const head = await fetch(`${registryUrl}/v2/${repository}/blobs/${digest}`, { method: 'HEAD' });
  if (head.ok) return digest;
  const start = await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`blob upload to ${repository} answered ${start.status}`);
  const location = new URL(start.headers.get('location')!, registryUrl);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream' },
    body: new Uint8Array(data),
  });
  if (put.status !== 201) throw new Error(`blob PUT to ${repository} answered ${put.status}: ${await put.text()}`);
  return digest;
}

const EMPTY_LAYER = gzipSync(Buffer.alloc(1024));

/**
 * Pushes a tiny image (or a Helm chart with `kind: 'chart'`) whose digest is unique to `seed`, and
 * tags it with every tag given. Returns the manifest digest.
 */
export async function pushArtifact(
  repository: string,
  tags: string[],
  opts: {
    seed?: string;
    kind?: 'image' | 'chart';
    /** Marks the image as copa's output: copa writes the source reference into `config.labels.BaseImage`. */
    baseImage?: string;
  } = {},
): Promise<string> {
  const seed = opts.seed ?? `${repository}:${tags.join(',')}:${randomBytes(4).toString('hex')}`;
  const chart = opts.kind === 'chart';
  const config = Buffer.from(
    JSON.stringify(
      chart
        ? { name: 'chart', version: '1.0.0', apiVersion: 'v2', description: seed }
        : {
            architecture: 'amd64',
            os: 'linux',
            config: { Labels: { seed }, ...(opts.baseImage ? { labels: { BaseImage: opts.baseImage } } : {}) },
            rootfs: { type: 'layers', diff_ids: [sha256(Buffer.alloc(1024))] },
          },
    ),
  );
  const configDigest = await putBlob(repository, config);
  const layerDigest = await putBlob(repository, EMPTY_LAYER);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: chart ? 'application/vnd.cncf.helm.config.v1+json' : 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: config.length,
      },
      layers: [
        {
          mediaType: chart
            ? 'application/vnd.cncf.helm.chart.content.v1.tar+gzip'
            : 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: layerDigest,
          size: EMPTY_LAYER.length,
        },
      ],
    }),
  );
  const digest = sha256(manifest);
  for (const ref of tags.length ? tags : [digest]) {
    const res = await fetch(`${registryUrl}/v2/${repository}/manifests/${ref}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
      body: new Uint8Array(manifest),
    });
    if (res.status !== 201)
      throw new Error(`manifest PUT ${repository}:${ref} answered ${res.status}: ${await res.text()}`);
  }
  return digest;
}

/** Pushes an OCI image index over the given (already pushed) single-platform images, tagged `tag`. */
export async function pushIndex(
  repository: string,
  tag: string,
  children: string[],
  platform = { architecture: 'amd64', os: 'linux' },
): Promise<string> {
  const manifests = await Promise.all(
    children.map(async (digest) => {
      const res = await fetch(`${registryUrl}/v2/${repository}/manifests/${digest}`, {
        method: 'HEAD',
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      });
      if (res.status !== 200) throw new Error(`${repository}@${digest} is not in the registry (HTTP ${res.status})`);
      return {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest,
        size: Number(res.headers.get('content-length')),
        platform,
      };
    }),
  );
  const index = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }),
  );
  const res = await fetch(`${registryUrl}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' },
    body: new Uint8Array(index),
  });
  if (res.status !== 201) throw new Error(`index PUT ${repository}:${tag} answered ${res.status}: ${await res.text()}`);
  return sha256(index);
}

export interface FakeVuln {
  severity: 'Critical' | 'High' | 'Medium' | 'Low' | 'Negligible' | 'Unknown';
  fixable: boolean;
}

/** Records a finished vulnerability scan of `digest` in the stand-in, with these vulnerabilities. */
export function setScanResult(
  sim: HarborSim,
  digest: string,
  vulns: FakeVuln[],
  status: 'Success' | 'Error' = 'Success',
): void {
  const vulnerabilities = vulns.map((v, i) => ({
    id: `CVE-2099-${1000 + i}`,
    package: `pkg${i}`,
    version: '1.0',
    fix_version: v.fixable ? '1.1' : '',
    severity: v.severity,
    status: v.fixable ? 'fixed' : 'affected',
    description: '',
    links: [],
    artifact_digests: [digest],
    preferred_cvss: { score_v3: null, score_v2: null, vector_v3: '', vector_v2: '' },
    cwe_ids: [],
    vendor_attributes: {},
  }));
  const order = ['Critical', 'High', 'Medium', 'Low', 'Negligible', 'Unknown'];
  const severity = order.find((s) => vulns.some((v) => v.severity === s)) ?? 'None';
  const time = new Date().toISOString();
  sim.state.scans.set(digest, {
    report_id: randomBytes(8).toString('hex'),
    status,
    start_time: time,
    end_time: time,
    report: {
      generated_at: time,
      scanner: { name: 'Trivy', vendor: 'Aqua Security', version: 'sim' },
      severity,
      vulnerabilities,
    },
    log: [],
  });
}

/** Attaches a (project) label to an artifact in the stand-in. */
export function attachLabel(sim: HarborSim, fullRepository: string, digest: string, labelId: number): void {
  const key = `${fullRepository}@${digest}`;
  sim.state.artifactLabels.set(key, [...(sim.state.artifactLabels.get(key) ?? []), labelId]);
}
