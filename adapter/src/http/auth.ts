/**
 * Express middleware over AccessResolver. Routers use:
 *   auth.requireSignedIn()                      401 without valid Harbor credentials
 *   auth.requireProjectRead()                   + 404 when the project is missing or not visible to the caller
 *   auth.requireProjectPermission(res, action)  + 403 without that Harbor permission in the project
 *   auth.requireProjectAdmin()                  project admin or system admin (see PROJECT_ADMIN_PERMISSION)
 * and read the outcome with callerOf(res) / projectAccessOf(res). The project comes from the
 * `project_name` route parameter.
 */
import type { RequestHandler, Response } from 'express';
import { unauthorized, forbidden, notFound } from './errors';
import { PROJECT_ADMIN_PERMISSION, type AccessResolver, type Caller, type ProjectAccess } from '../auth/access';
import { credentialsOf, type Credentials } from '../auth/credentials';

export function credentialsFromLocals(res: Response): Credentials | undefined {
  return res.locals.credentials as Credentials | undefined;
}

/** The caller, after requireSignedIn or any project check ran. */
export function callerOf(res: Response): Caller {
  const caller = res.locals.caller as Caller | undefined;
  if (!caller) throw new Error('callerOf used on a route without requireSignedIn');
  return caller;
}

/** The caller's access to the route's project, after a project check ran. */
export function projectAccessOf(res: Response): ProjectAccess {
  const access = res.locals.projectAccess as ProjectAccess | undefined;
  if (!access) throw new Error('projectAccessOf used on a route without a project check');
  return access;
}

export interface AuthMiddleware {
  resolver: AccessResolver;
  requireSignedIn(): RequestHandler;
  requireProjectRead(): RequestHandler;
  requireProjectPermission(resource: string, action: string): RequestHandler;
  requireProjectAdmin(): RequestHandler;
}

export function createAuthMiddleware(resolver: AccessResolver): AuthMiddleware {
  const signIn: RequestHandler = async (req, res, next) => {
    const creds = credentialsOf(req);
    if (!creds)
      throw unauthorized('sign in to Harbor first (session cookie) or send Basic auth with a Harbor user or robot');
    res.locals.credentials = creds;
    res.locals.caller = await resolver.identify(creds);
    next();
  };

  const projectCheck =
    (needed?: { resource: string; action: string }): RequestHandler =>
    async (req, res, next) => {
      const creds = credentialsOf(req);
      if (!creds)
        throw unauthorized('sign in to Harbor first (session cookie) or send Basic auth with a Harbor user or robot');
      const name = req.params.project_name;
      if (typeof name !== 'string' || !name) throw new Error('project check on a route without :project_name');
      const access = await resolver.project(creds, name);
      res.locals.credentials = creds;
      res.locals.caller = access.caller;
      if (!access.canRead) throw notFound(`project "${name}" not found (or you are not a member of it)`);
      if (needed && !access.can(needed.resource, needed.action)) {
        throw forbidden(
          needed === PROJECT_ADMIN_PERMISSION
            ? `only a project admin of "${name}" (or a system admin) may do this`
            : `you need the ${needed.resource}:${needed.action} permission in project "${name}"`,
        );
      }
      res.locals.projectAccess = access;
      next();
    };

  return {
    resolver,
    requireSignedIn: () => signIn,
    requireProjectRead: () => projectCheck(),
    requireProjectPermission: (resource, action) => projectCheck({ resource, action }),
    requireProjectAdmin: () => projectCheck(PROJECT_ADMIN_PERMISSION),
  };
}
