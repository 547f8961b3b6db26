/** Project lookups. */
import type { HarborAuth, HarborClient } from './client';
import type { components } from './generated';

export type HarborProject = components['schemas']['Project'];

/** `GET /projects/{name}` read as a name (`X-Is-Resource-Name: true`). Throws HarborError (404/403 when not visible). */
export async function getProjectByName(client: HarborClient, name: string, auth?: HarborAuth): Promise<HarborProject> {
  return client.get<HarborProject>(`/projects/${encodeURIComponent(name)}`, {
    auth,
    headers: { 'x-is-resource-name': 'true' },
  });
}

export function isPublicProject(project: HarborProject): boolean {
  return project.metadata?.public === 'true';
}
