// Scale mode: synthetic repositories and artifacts kept only in memory (no blobs), precomputed in Harbor's
// default order so that listing a page costs a slice, not a sort.
import { createHash } from 'node:crypto';
import type { ArtifactRecord, RepositoryRecord } from './catalog';
import { ZERO_TIME } from './catalog';
import { SEVERITIES } from './scanner';
import type { Project, SimState } from './state';

export interface ScaleOptions {
  projects?: number;
  repositories?: number;
  artifactsPerRepository?: number;
  /** Project labels created per project; some artifacts carry them. */
  labels?: number;
  projectPrefix?: string;
  public?: boolean;
}

interface SyntheticRepository {
  record: RepositoryRecord;
  artifacts: ArtifactRecord[];
  byDigest: Map<string, ArtifactRecord>;
  byTag: Map<string, ArtifactRecord>;
}

const digestOf = (text: string) => 'sha256:' + createHash('sha256').update(text).digest('hex');

export class SyntheticCatalog {
  private repositories = new Map<number, RepositoryRecord[]>();
  private byName = new Map<string, SyntheticRepository>();

  constructor(private state: SimState) {}

  has(project: Project): boolean {
    return this.repositories.has(project.project_id);
  }

  repositoryList(project: Project): RepositoryRecord[] {
    return this.repositories.get(project.project_id) ?? [];
  }

  repository(name: string): SyntheticRepository | undefined {
    return this.byName.get(name);
  }

  artifact(repository: string, reference: string): ArtifactRecord | undefined {
    const repo = this.byName.get(repository);
    if (!repo) return undefined;
    return reference.startsWith('sha256:') ? repo.byDigest.get(reference) : repo.byTag.get(reference);
  }

  removeArtifact(repository: string, digest: string): void {
    const repo = this.byName.get(repository);
    const artifact = repo?.byDigest.get(digest);
    if (!repo || !artifact) return;
    repo.byDigest.delete(digest);
    for (const tag of artifact.tags) repo.byTag.delete(tag.name);
    repo.artifacts = repo.artifacts.filter((a) => a.digest !== digest);
    repo.record.artifact_count = repo.artifacts.length;
  }

  removeTag(repository: string, tag: string): void {
    const repo = this.byName.get(repository);
    const artifact = repo?.byTag.get(tag);
    if (!repo || !artifact) return;
    repo.byTag.delete(tag);
    artifact.tags = artifact.tags.filter((t) => t.name !== tag);
  }

  addTag(repository: string, digest: string, tag: string): void {
    const repo = this.byName.get(repository);
    const artifact = repo?.byDigest.get(digest);
    if (!repo || !artifact) return;
    artifact.tags.push({
      id: this.state.idFor('tag', `${repository}:${tag}`),
      repository_id: artifact.repository_id,
      artifact_id: artifact.id,
      name: tag,
      push_time: new Date().toISOString(),
      pull_time: ZERO_TIME,
    });
    repo.byTag.set(tag, artifact);
  }

  /** Adds one synthetic project with its repositories and artifacts. */
  seedProject(project: Project, repositories: number, perRepository: number, labelIds: number[]): void {
    const base = Date.UTC(2025, 0, 1);
    const repoRecords: RepositoryRecord[] = [];
    for (let r = 0; r < repositories; r++) {
      const name = `${project.name}/app-${String(r).padStart(4, '0')}`;
      const repositoryId = this.state.idFor('repository', name);
      const artifacts: ArtifactRecord[] = [];
      for (let i = 0; i < perRepository; i++) {
        const digest = digestOf(`${name}#${i}`);
        const id = this.state.idFor('artifact', `${name}@${digest}`);
        const pushTime = new Date(base + r * 1_000_000 + i * 1000).toISOString();
        const version = `${Math.floor(i / 2) >> 3}.${Math.floor(i / 2) & 7}`;
        const patched = i % 2 === 1 && i % 4 === 1;
        const untagged = i % 10 === 9;
        const tagName = patched ? `${version}-patched` : `${version}${i % 2 === 1 ? '.1' : ''}`;
        const tags = untagged
          ? []
          : [
              {
                id: this.state.idFor('tag', `${name}:${tagName}`),
                repository_id: repositoryId,
                artifact_id: id,
                name: tagName,
                push_time: pushTime,
                pull_time: ZERO_TIME,
              },
            ];
        artifacts.push({
          layer_media_types: [],
          accessories: [],
          id,
          type: 'IMAGE',
          media_type: 'application/vnd.oci.image.config.v1+json',
          manifest_media_type: 'application/vnd.oci.image.manifest.v1+json',
          artifact_type: 'application/vnd.oci.image.config.v1+json',
          project_id: project.project_id,
          repository_id: repositoryId,
          repository_name: name,
          digest,
          size: 30_000_000 + ((r * 7919 + i * 104_729) % 20_000_000),
          push_time: pushTime,
          pull_time: ZERO_TIME,
          extra_attrs: { architecture: 'amd64', os: 'linux', author: '', created: pushTime, config: {} },
          annotations: {},
          references: [],
          tags,
          scannable: true,
        });
        if (labelIds.length && i % 5 === 0)
          this.state.artifactLabels.set(`${name}@${digest}`, [labelIds[(r + i) % labelIds.length]]);
        if (i % 7 !== 6) this.state.scans.set(digest, syntheticScan(digest, r + i, patched, pushTime));
      }
      artifacts.sort((a, b) => (a.push_time === b.push_time ? a.id - b.id : a.push_time < b.push_time ? 1 : -1));
      const record: RepositoryRecord = {
        id: repositoryId,
        project_id: project.project_id,
        name,
        artifact_count: artifacts.length,
        pull_count: 0,
        creation_time: artifacts[artifacts.length - 1]?.push_time ?? new Date(base).toISOString(),
        update_time: artifacts[0]?.push_time ?? new Date(base).toISOString(),
      };
      repoRecords.push(record);
      this.byName.set(name, {
        record,
        artifacts,
        byDigest: new Map(artifacts.map((a) => [a.digest, a])),
        byTag: new Map(artifacts.flatMap((a) => a.tags.map((t) => [t.name, a] as const))),
      });
    }
    // Harbor's default repository order: newest first.
    repoRecords.sort((a, b) =>
      a.creation_time === b.creation_time ? a.id - b.id : a.creation_time < b.creation_time ? 1 : -1,
    );
    this.repositories.set(project.project_id, repoRecords);
  }
}

function syntheticScan(digest: string, seed: number, patched: boolean, time: string) {
  const summary: Record<string, number> = {};
  let total = 0;
  let fixable = 0;
  if (!patched) {
    const levels = SEVERITIES.slice(3); // Low .. Critical
    for (let k = 0; k < levels.length; k++) {
      const count = (seed * 7 + k * 13) % (k + 3);
      if (count > 0) {
        summary[levels[k]] = count;
        total += count;
      }
    }
    fixable = Math.floor(total * ((seed % 4) / 3));
    if (fixable > total) fixable = total;
  }
  const severity = (['Critical', 'High', 'Medium', 'Low'] as const).find((s) => summary[s]) ?? 'None';
  return {
    report_id: digestOf(`report:${digest}`).slice(7, 43),
    status: 'Success' as const,
    start_time: time,
    end_time: time,
    summary: { total, fixable, summary },
    severity,
    log: [],
  };
}
