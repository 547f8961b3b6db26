/** Artifact-level calls the patch task makes as the service robot: classify, label, delete. */
import { HarborClient, HarborError, repositoryPathSegment } from './client';
import type { HarborArtifact } from './repositories';

/**
 * Harbor answered a lookup in one repository with an artifact of another (its `repository_name` differs).
 * A 404 to every caller: whatever name trick led there, another project's artifact is never used.
 */
export class ForeignArtifactError extends HarborError {
  constructor(asked: string, answered: string | undefined, method: string, path: string) {
    super(
      404,
      'NOT_FOUND',
      `Harbor answered a lookup in ${asked} with an artifact of ${answered ?? 'an unnamed repository'}; it is not used`,
      method,
      path,
    );
    this.name = 'ForeignArtifactError';
  }
}

/** Throws ForeignArtifactError unless `artifact` is in `fullRepositoryName` (`project/repo`) exactly. */
export function assertArtifactIn<T extends Pick<HarborArtifact, 'repository_name'>>(
  artifact: T,
  fullRepositoryName: string,
  method: string,
  path: string,
): T {
  if (artifact?.repository_name !== fullRepositoryName) {
    throw new ForeignArtifactError(fullRepositoryName, artifact?.repository_name, method, path);
  }
  return artifact;
}

export function artifactPath(project: string, repository: string, reference: string): string {
  return `/projects/${encodeURIComponent(project)}/repositories/${repositoryPathSegment(repository)}/artifacts/${encodeURIComponent(reference)}`;
}

const IMAGE_MANIFEST_TYPES = new Set([
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
]);

const IMAGE_INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

/** What kind of thing an artifact is, as far as patching cares. */
export function classifyArtifact(a: HarborArtifact): 'image' | 'index' | 'other' {
  const media = a.manifest_media_type ?? '';
  if (a.type && a.type.toUpperCase() !== 'IMAGE') return 'other';
  if (IMAGE_INDEX_TYPES.has(media)) return 'index';
  if (!IMAGE_MANIFEST_TYPES.has(media) && media !== '') return 'other';
  // An OCI manifest with an artifactType is a signature, SBOM or other non-image artifact.
  const imageConfig = /image\.config|container\.image/;
  if (a.artifact_type && !imageConfig.test(a.artifact_type)) return 'other';
  const configType = a.media_type ?? '';
  if (configType && !imageConfig.test(configType)) return 'other';
  return 'image';
}

export async function addLabel(
  client: HarborClient,
  project: string,
  repository: string,
  reference: string,
  labelId: number,
): Promise<void> {
  try {
    await client.request('POST', `${artifactPath(project, repository, reference)}/labels`, { body: { id: labelId } });
  } catch (err) {
    // Already attached: nothing to do.
    if (err instanceof HarborError && err.status === 409) return;
    throw err;
  }
}

export async function deleteArtifact(
  client: HarborClient,
  project: string,
  repository: string,
  digest: string,
): Promise<void> {
  await client.request('DELETE', artifactPath(project, repository, digest));
}
