/** Who the caller is and what they may do, asked of Harbor with the caller's own credentials. */
import { HarborError, type HarborAuth, type HarborClient } from './client';
import type { components } from './generated';

export type HarborUser = components['schemas']['UserResp'];
export type HarborPermission = { resource: string; action: string };

/**
 * `GET /users/current`. Harbor answers 412 for callers that are not local users (robots):
 * then `undefined` is returned and permissions are the only source of truth.
 */
export async function getCurrentUser(client: HarborClient, auth: HarborAuth): Promise<HarborUser | undefined> {
  try {
    return await client.get<HarborUser>('/users/current', { auth });
  } catch (err) {
    if (err instanceof HarborError && err.status === 412) return undefined;
    throw err;
  }
}

/** `GET /users/current/permissions?scope=/project/{id}&relative=true`: resource/action pairs relative to the project. */
export async function getProjectPermissions(
  client: HarborClient,
  /** undefined: the client's own credentials. */
  auth: HarborAuth | undefined,
  projectId: number,
): Promise<HarborPermission[]> {
  const list = await client.get<HarborPermission[]>('/users/current/permissions', {
    auth,
    query: { scope: `/project/${projectId}`, relative: true },
  });
  return Array.isArray(list) ? list : [];
}
