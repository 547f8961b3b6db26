// Repositories and artifacts as Harbor shows them, built from what the real registry holds plus the
// stand-in's own records (push times, deleted tags, ids).
import type { Project, SimState } from './state';
import { now } from './state';
import type { FetchedManifest, RegistryClient } from '@harbor-patching/oci-testkit/registry';
import { linkAccessories, type Accessory } from './accessories';

export interface TagRecord {
  id: number;
  repository_id: number;
  artifact_id: number;
  name: string;
  push_time: string;
  pull_time: string;
}

export interface ReferenceRecord {
  parent_id: number;
  child_id: number;
  child_digest: string;
  platform?: Record<string, unknown>;
  annotations?: Record<string, string>;
  urls?: string[];
}

export interface ArtifactRecord {
  id: number;
  type: string;
  media_type: string;
  manifest_media_type: string;
  artifact_type: string;
  project_id: number;
  repository_id: number;
  repository_name: string;
  digest: string;
  size: number;
  push_time: string;
  pull_time: string;
  extra_attrs: Record<string, unknown>;
  annotations: Record<string, string>;
  references: ReferenceRecord[];
  tags: TagRecord[];
  /** Manifest of an image (not an index), so the scanner knows what to read. */
  scannable: boolean;
  /** The manifest's OCI 1.1 `subject` digest, if any. */
  subject?: string;
  /** Media types of the manifest's layers (a cosign signature has a simplesigning layer). */
  layer_media_types: string[];
  /** Set when the artifact is an accessory of another artifact of the repository (accessories.ts). */
  accessory?: Accessory;
  /** The artifact's own accessories. */
  accessories: Accessory[];
}

export interface RepositoryRecord {
  id: number;
  project_id: number;
  name: string;
  artifact_count: number;
  pull_count: number;
  creation_time: string;
  update_time: string;
}

export const ZERO_TIME = '0001-01-01T00:00:00.000Z';

const IMAGE_CONFIG_TYPES = new Set([
  'application/vnd.docker.container.image.v1+json',
  'application/vnd.oci.image.config.v1+json',
]);
const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

/** Harbor's artifact type from the config media type (its processors: image, chart, cnab, wasm, vex; else UNKNOWN). */
export function artifactTypeOf(configMediaType: string): string {
  if (IMAGE_CONFIG_TYPES.has(configMediaType)) return 'IMAGE';
  if (configMediaType === 'application/vnd.cncf.helm.config.v1+json') return 'CHART';
  if (configMediaType === 'application/vnd.cnab.manifest.v1') return 'CNAB';
  if (configMediaType === 'application/vnd.wasm.config.v1+json') return 'WASM';
  if (configMediaType === 'application/vnd.openvex+json') return 'VEX';
  return 'UNKNOWN';
}

interface ImageConfig {
  architecture?: string;
  os?: string;
  author?: string;
  created?: string;
  variant?: string;
  config?: Record<string, unknown>;
}

export class RegistryCatalog {
  constructor(
    private state: SimState,
    private registry: RegistryClient,
  ) {}

  private pushTime(repository: string, digest: string): string {
    const key = `${repository}@${digest}`;
    let time = this.state.pushTimes.get(key);
    if (!time) {
      time = now();
      this.state.pushTimes.set(key, time);
    }
    return time;
  }

  /** Visible tags of a repository with the digest each points at. */
  async tagDigests(repository: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const tags = await this.registry.tags(repository);
    await Promise.all(
      tags.map(async (tag) => {
        const digest = await this.registry.resolve(repository, tag);
        if (!digest) return;
        const deletedKey = `${repository}:${tag}`;
        const deletedDigest = this.state.deletedTags.get(deletedKey);
        if (deletedDigest === digest) return;
        if (deletedDigest) this.state.deletedTags.delete(deletedKey);
        out.set(tag, digest);
      }),
    );
    return out;
  }

  async repositoryNames(project: Project): Promise<string[]> {
    const names = await this.registry.catalog();
    return names.filter((name) => name.startsWith(`${project.name}/`));
  }

  async artifacts(project: Project, repository: string): Promise<ArtifactRecord[]> {
    const tagDigests = await this.tagDigests(repository);
    const byDigest = new Map<string, string[]>();
    for (const [tag, digest] of [...tagDigests.entries()].sort()) {
      const list = byDigest.get(digest) ?? [];
      list.push(tag);
      byDigest.set(digest, list);
    }
    const known = this.state.knownDigests.get(repository);
    if (known) {
      for (const digest of [...known]) {
        if (byDigest.has(digest)) continue;
        if (await this.registry.resolve(repository, digest)) byDigest.set(digest, []);
        else known.delete(digest);
      }
    }
    const records = await Promise.all(
      [...byDigest.entries()].map(([digest, tags]) => this.build(project, repository, digest, tags)),
    );
    const present = records.filter((r): r is ArtifactRecord => r !== undefined);
    linkAccessories(this.state, repository, present);
    // Harbor lists only top-level artifacts: children of an index are reachable through `references`,
    // accessories through their subject's `accessories` (artifact dao: no artifact with an accessory row).
    const children = new Set(present.flatMap((r) => r.references.map((ref) => ref.child_digest)));
    return present.filter((r) => !r.accessory && (r.tags.length > 0 || !children.has(r.digest)));
  }

  /** Every artifact of the repository, accessories and children of an index included, linked. */
  async everyArtifact(project: Project, repository: string): Promise<ArtifactRecord[]> {
    const tagDigests = await this.tagDigests(repository);
    const byDigest = new Map<string, string[]>();
    for (const [tag, digest] of [...tagDigests.entries()].sort())
      byDigest.set(digest, [...(byDigest.get(digest) ?? []), tag]);
    for (const digest of this.state.knownDigests.get(repository) ?? [])
      if (!byDigest.has(digest)) byDigest.set(digest, []);
    const records = await Promise.all(
      [...byDigest.entries()].map(([digest, tags]) => this.build(project, repository, digest, tags)),
    );
    const present = records.filter((r): r is ArtifactRecord => r !== undefined);
    // Children of an index are artifacts of the repository too (with accessories of their own, e.g. from
    // `cosign sign --recursive`), whether or not their digest was ever asked for.
    const unseen = [...new Set(present.flatMap((r) => r.references.map((ref) => ref.child_digest)))].filter(
      (digest) => !byDigest.has(digest),
    );
    const children = await Promise.all(unseen.map((digest) => this.build(project, repository, digest, [])));
    present.push(...children.filter((r): r is ArtifactRecord => r !== undefined));
    linkAccessories(this.state, repository, present);
    return present;
  }

  async artifact(project: Project, repository: string, reference: string): Promise<ArtifactRecord | undefined> {
    const all = await this.artifacts(project, repository);
    // Harbor takes the reference as a digest only when it parses as one; anything else is a tag name
    // (artifact controller GetByReference), so a malformed digest is simply not found.
    if (/^sha256:[a-f0-9]{64}$/.test(reference)) {
      const found = all.find((a) => a.digest === reference);
      if (found) return found;
      if (!(await this.registry.resolve(repository, reference))) return undefined;
      // An accessory: found by digest, with its links. A child of an index is not among every artifact
      // until its digest is remembered (it has no tag), and is still an artifact of the repository.
      const linked = (await this.everyArtifact(project, repository)).find((a) => a.digest === reference);
      return linked ?? this.build(project, repository, reference, []);
    }
    return all.find((a) => a.tags.some((t) => t.name === reference));
  }

  /** The children of an index Harbor's scanner scans: images of a real platform (not attestation manifests). */
  async scannableChildren(project: Project, index: ArtifactRecord): Promise<ArtifactRecord[]> {
    const children = await Promise.all(
      index.references
        .filter((ref) => ref.platform?.os !== 'unknown')
        .map((ref) => this.build(project, index.repository_name, ref.child_digest, [])),
    );
    return children.filter((c): c is ArtifactRecord => c?.scannable === true);
  }

  async repository(project: Project, repository: string): Promise<RepositoryRecord | undefined> {
    const artifacts = await this.artifacts(project, repository);
    if (artifacts.length === 0) return undefined;
    return this.repositoryRecord(project, repository, artifacts);
  }

  repositoryRecord(project: Project, repository: string, artifacts: ArtifactRecord[]): RepositoryRecord {
    const times = artifacts.map((a) => a.push_time).sort();
    return {
      id: this.state.idFor('repository', repository),
      project_id: project.project_id,
      name: repository,
      artifact_count: artifacts.length,
      pull_count: 0,
      creation_time: times[0] ?? now(),
      update_time: times[times.length - 1] ?? now(),
    };
  }

  async repositories(project: Project): Promise<RepositoryRecord[]> {
    const names = await this.repositoryNames(project);
    const records = await Promise.all(names.map((name) => this.repository(project, name)));
    return records.filter((r): r is RepositoryRecord => r !== undefined);
  }

  private async sizeOf(repository: string, fetched: FetchedManifest): Promise<number> {
    const m = fetched.manifest;
    if (m.manifests) {
      let total = fetched.size;
      for (const child of m.manifests) {
        const childManifest = await this.registry.manifest(repository, child.digest);
        total += childManifest ? await this.sizeOf(repository, childManifest) : child.size;
      }
      return total;
    }
    return fetched.size + (m.config?.size ?? 0) + (m.layers ?? []).reduce((sum, l) => sum + l.size, 0);
  }

  async build(
    project: Project,
    repository: string,
    digest: string,
    tags: string[],
  ): Promise<ArtifactRecord | undefined> {
    const fetched = await this.registry.manifest(repository, digest);
    if (!fetched) return undefined;
    const m = fetched.manifest;
    const repositoryId = this.state.idFor('repository', repository);
    const id = this.state.idFor('artifact', `${repository}@${digest}`);
    const pushTime = this.pushTime(repository, digest);
    this.state.rememberDigest(repository, digest, pushTime);
    const isIndex = INDEX_TYPES.has(fetched.mediaType) || Array.isArray(m.manifests);
    let type = 'IMAGE';
    let mediaType = fetched.mediaType;
    let artifactType = m.artifactType ?? '';
    let extra: Record<string, unknown> = {};
    if (!isIndex) {
      const configType = m.config?.mediaType ?? '';
      mediaType = configType;
      type = artifactTypeOf(configType);
      if (!artifactType) artifactType = configType;
      if (type === 'IMAGE' && m.config) {
        const config = await this.registry.blobJson<ImageConfig>(repository, m.config.digest);
        extra = {
          architecture: config.architecture ?? '',
          os: config.os ?? '',
          author: config.author ?? '',
          created: config.created ?? '',
          config: harborImageConfig(config.config ?? {}),
        };
        if (config.variant) extra.variant = config.variant;
      }
    } else if (!artifactType) {
      artifactType = fetched.mediaType;
    }
    const references: ReferenceRecord[] = (m.manifests ?? []).map((child) => {
      const ref: ReferenceRecord = {
        parent_id: id,
        child_id: this.state.idFor('artifact', `${repository}@${child.digest}`),
        child_digest: child.digest,
      };
      if (child.platform) ref.platform = child.platform as Record<string, unknown>;
      if (child.annotations) ref.annotations = child.annotations;
      if (child.urls) ref.urls = child.urls;
      return ref;
    });
    return {
      id,
      type,
      media_type: mediaType,
      manifest_media_type: fetched.mediaType,
      artifact_type: artifactType,
      project_id: project.project_id,
      repository_id: repositoryId,
      repository_name: repository,
      digest,
      size: await this.sizeOf(repository, fetched),
      push_time: pushTime,
      pull_time: ZERO_TIME,
      extra_attrs: extra,
      annotations: m.annotations ?? {},
      references,
      tags: tags.map((name) => ({
        id: this.state.idFor('tag', `${repository}:${name}`),
        repository_id: repositoryId,
        artifact_id: id,
        name,
        push_time: this.pushTime(repository, `${digest}#${name}`),
        pull_time: ZERO_TIME,
      })),
      scannable: type === 'IMAGE',
      ...(m.subject?.digest ? { subject: m.subject.digest } : {}),
      layer_media_types: (m.layers ?? []).map((l) => l.mediaType),
      accessories: [],
    };
  }
}

/**
 * The image config's `config` as Harbor shows it in `extra_attrs.config`: Harbor decodes it into Go's
 * v1.ImageConfig, and Go's JSON decoding matches keys case-insensitively and fills one map, so copa's
 * lower-case `labels` (its BaseImage marker) ends up merged into `Labels`.
 */
function harborImageConfig(config: Record<string, unknown>): Record<string, unknown> {
  const { labels, ...rest } = config;
  if (!labels || typeof labels !== 'object') return config;
  return { ...rest, Labels: { ...((rest.Labels as Record<string, string> | null) ?? {}), ...labels } };
}
