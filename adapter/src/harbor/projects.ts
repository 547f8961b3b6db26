/** Project lookups. */
import type { HarborAuth, HarborClient } from './client';
import type { components } from './generated';

export type HarborProject = components['schemas']['Project'];

/** Granted to every signed-in caller on a public project (Harbor's rbac_util.go public policies). */
export const PUBLIC_PROJECT_PERMISSIONS: readonly string[] = [
  'repository:pull',
  'repository:read',
  'repository:list',
  'artifact:read',
  'artifact:list',
  'tag:list',
  'scan:read',
  'label:read',
  'label:list',
];

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
