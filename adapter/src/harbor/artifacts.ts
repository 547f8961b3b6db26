/** Artifact-level calls the patch task makes as the service robot: classify, label, delete. */
import { HarborClient, HarborError, repositoryPathSegment } from './client';

export function artifactPath(project: string, repository: string, reference: string): string {
  return `/projects/${encodeURIComponent(project)}/repositories/${repositoryPathSegment(repository)}/artifacts/${encodeURIComponent(reference)}`;
}

/** What kind of thing an artifact is, as far as patching cares (shared with the portal's Patch button). */
export { classifyArtifact } from '@harbor-patching/shared/harbor/artifacts';

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
