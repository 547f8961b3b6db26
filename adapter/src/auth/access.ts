/**
 * Who the caller is and what they may do in a project, asked of Harbor with the caller's own
 * credentials and cached briefly per credential hash:
 *  - identity: `GET /users/current` (412 for robots: then the Basic login name is used),
 *  - the project: `GET /projects/{name}` with `X-Is-Resource-Name: true` (403/404 -> "not found"),
 *  - permissions: `GET /users/current/permissions?scope=/project/{id}&relative=true`.
 * System admins may do everything; a public project grants read to every signed-in caller.
 */
import { harborFailure as asDomainError, HarborError, type HarborClient } from '../harbor/client';
import { getProjectByName, isPublicProject, PUBLIC_PROJECT_PERMISSIONS } from '../harbor/projects';
import { getCurrentUser, getProjectPermissions } from '../harbor/users';
import { NotFoundError, UpstreamError } from '../model/errors';
import type { Credentials } from './credentials';
import { TtlCache } from '../cache';

export interface Caller {
  /** Harbor user name, or the robot's login name (`robot$...`). */
  username: string;
  userId?: number;
  sysadmin: boolean;
  robot: boolean;
}

export interface ProjectAccess {
  caller: Caller;
  project: { id: number; name: string; public: boolean };
  /** `resource:action` pairs relative to the project, e.g. `repository:push`. */
  permissions: ReadonlySet<string>;
  can(resource: string, action: string): boolean;
  /** Read access: member, public project, or system admin. */
  canRead: boolean;
}

/**
 * Managing patch policies needs Harbor's project admin. Harbor has no "is admin" permission, so we
 * ask for one only project admins (and system admins) hold: creating webhook policies. Policies and
 * webhooks are the same kind of project automation, and a project robot can be granted it explicitly.
 */
export const PROJECT_ADMIN_PERMISSION = { resource: 'notification-policy', action: 'create' } as const;
/** Ad-hoc patching pushes a new tag: Harbor's push permission. */
export const PATCH_PERMISSION = { resource: 'repository', action: 'push' } as const;

/** The permissions that mean "may read the project's images". */
export const READ_PERMISSIONS: readonly [string, string][] = [
  ['repository', 'pull'],
  ['artifact', 'read'],
];

function harborFailure(err: unknown): never {
  if (err instanceof HarborError) throw asDomainError(err);
  throw err;
}

export class AccessResolver {
  private readonly callers: TtlCache<Caller>;
  private readonly projects: TtlCache<ProjectAccess>;

  constructor(
    private readonly harbor: HarborClient,
    cacheSeconds: number,
  ) {
    this.callers = new TtlCache(cacheSeconds * 1000);
    this.projects = new TtlCache(cacheSeconds * 1000);
  }

  /** Who is calling. Throws UnauthorizedError when Harbor does not accept the credentials. */
  identify(creds: Credentials): Promise<Caller> {
    return this.callers.get(creds.hash, async () => {
      const user = await getCurrentUser(this.harbor, creds.auth).catch(harborFailure);
      if (user) {
        return {
          username: user.username ?? 'unknown',
          userId: user.user_id,
          sysadmin: Boolean(user.sysadmin_flag),
          robot: false,
        };
      }
      return { username: creds.basicUsername ?? 'robot', sysadmin: false, robot: true };
    });
  }

  /**
   * The caller's access to a project by name. Throws UnauthorizedError (credentials refused) or
   * NotFoundError (no such project, or one the caller may not see).
   */
  project(creds: Credentials, projectName: string): Promise<ProjectAccess> {
    return this.projects.get(`${creds.hash}\n${projectName}`, async () => {
      const caller = await this.identify(creds);
      let project;
      try {
        project = await getProjectByName(this.harbor, projectName, creds.auth);
      } catch (err) {
        if (err instanceof HarborError && (err.status === 403 || err.status === 404)) {
          throw new NotFoundError(`project "${projectName}" not found (or you are not a member of it)`);
        }
        harborFailure(err);
      }
      const id = project.project_id;
      if (typeof id !== 'number') throw new UpstreamError(`Harbor returned project "${projectName}" without an id`);
      const listed = await getProjectPermissions(this.harbor, creds.auth, id).catch(harborFailure);
      const permissions = new Set(listed.map((p) => `${p.resource}:${p.action}`));
      const isPublic = isPublicProject(project);
      if (isPublic) for (const p of PUBLIC_PROJECT_PERMISSIONS) permissions.add(p);
      const can = (resource: string, action: string) => caller.sysadmin || permissions.has(`${resource}:${action}`);
      return {
        caller,
        project: { id, name: project.name ?? projectName, public: isPublic },
        permissions,
        can,
        canRead: READ_PERMISSIONS.some(([r, a]) => can(r, a)),
      };
    });
  }

  clearCache(): void {
    this.callers.clear();
    this.projects.clear();
  }
}
