/**
 * The service's robot account: the Harbor permissions it needs (README.md, "Running next to a real Harbor",
 * lists exactly ROBOT_PERMISSIONS; a test keeps the two equal) and what Harbor says about it:
 *  - its credentials: `GET /users/current/permissions?scope=/system` answers 401 when Harbor rejects them
 *    (Harbor treats bad Basic credentials as anonymous, so public reads would still work);
 *  - its access to a project: `GET /projects/{name}` (403: no access) and
 *    `GET /users/current/permissions?scope=/project/{id}&relative=true` (what it holds there).
 * Answers are cached briefly; a "Harbor did not answer" is never cached.
 */
import { ConflictError, NotFoundError, UnavailableError, UpstreamError, type DomainError } from '../model/errors';
import { TtlCache } from '../cache';
import { HarborError, type HarborClient } from './client';
import { getProjectByName, PUBLIC_PROJECT_PERMISSIONS } from './projects';
import { getProjectPermissions } from './users';

export interface RobotPermission {
  resource: string;
  action: string;
  /** What the service does with it, for messages and the README. */
  why: string;
  /**
   * `patch`: a patch fails without it (checked before each patch); `notes`: the patch still succeeds and its
   * message says what was not done (labels, "delete original"); `webhook`: registering the webhook policy.
   */
  use: 'patch' | 'notes' | 'webhook';
}

export const ROBOT_PERMISSIONS: readonly RobotPermission[] = [
  { resource: 'repository', action: 'pull', use: 'patch', why: 'copa pulls the original image' },
  { resource: 'repository', action: 'push', use: 'patch', why: 'copa pushes the patched image' },
  { resource: 'artifact', action: 'read', use: 'patch', why: 'reading the artifact and its scan results' },
  { resource: 'scan', action: 'create', use: 'patch', why: 'scanning originals and patched images' },
  { resource: 'immutable-tag', action: 'list', use: 'patch', why: 'checking immutable tag rules' },
  { resource: 'artifact-label', action: 'create', use: 'notes', why: 'copying labels to the patched image' },
  { resource: 'artifact', action: 'delete', use: 'notes', why: '"delete original"' },
  { resource: 'tag', action: 'delete', use: 'notes', why: '"delete original"' },
  { resource: 'notification-policy', action: 'list', use: 'webhook', why: 'finding the webhook policy' },
  { resource: 'notification-policy', action: 'create', use: 'webhook', why: 'registering the webhook policy' },
  { resource: 'notification-policy', action: 'update', use: 'webhook', why: 'updating the webhook policy' },
];

export const permissionName = (p: { resource: string; action: string }) => `${p.resource}:${p.action}`;

export function robotPermissions(...uses: RobotPermission['use'][]): RobotPermission[] {
  return ROBOT_PERMISSIONS.filter((p) => uses.includes(p.use));
}

export type RobotProblem =
  /** PATCHING_ROBOT_NAME / PATCHING_ROBOT_SECRET are not set. */
  | 'not_configured'
  /** Harbor rejected the robot's credentials (wrong secret, robot deleted, disabled or expired). */
  | 'rejected'
  /** The robot has no permissions in the project. */
  | 'no_access'
  /** The robot lacks some of the permissions asked for. */
  | 'missing_permissions'
  /** The project does not exist. */
  | 'no_project'
  /** Harbor did not answer. */
  | 'unreachable';

export type RobotCheck = { ok: true } | { ok: false; problem: RobotProblem; message: string; missing?: string[] };

type ProjectState =
  | { kind: 'held'; permissions: ReadonlySet<string> }
  | { kind: 'problem'; problem: Exclude<RobotProblem, 'missing_permissions' | 'not_configured'>; detail: string };

/**
 * The service robot cannot do what the request needs: unavailable when Harbor rejects its credentials (the
 * whole service is affected), a conflict when it lacks access or permissions in this project, each saying
 * what to fix.
 */
export function robotCheckError(check: Exclude<RobotCheck, { ok: true }>): DomainError {
  switch (check.problem) {
    case 'rejected':
    case 'not_configured':
      return new UnavailableError(check.message, { code: 'ROBOT_REJECTED' });
    case 'no_access':
      return new ConflictError(check.message, { code: 'ROBOT_NO_ACCESS' });
    case 'missing_permissions':
      return new ConflictError(check.message, { code: 'ROBOT_PERMISSION' });
    case 'no_project':
      return new NotFoundError(check.message);
    case 'unreachable':
      return new UpstreamError(check.message, { code: 'HARBOR_UNREACHABLE' });
  }
}

export class ServiceRobot {
  private readonly credentials: TtlCache<RobotCheck>;
  private readonly projects: TtlCache<ProjectState>;

  constructor(
    /** Harbor as the robot. */
    private readonly harbor: HarborClient,
    readonly name: string,
    cacheSeconds: number,
  ) {
    this.credentials = new TtlCache(cacheSeconds * 1000, {
      keep: (c) => c.ok || c.problem !== 'unreachable',
    });
    this.projects = new TtlCache(cacheSeconds * 1000, {
      keep: (s) => s.kind === 'held' || s.problem !== 'unreachable',
    });
  }

  get rejectedMessage(): string {
    return `Harbor rejected the service robot's credentials (${this.name}): check PATCHING_ROBOT_NAME and PATCHING_ROBOT_SECRET, and that the robot still exists, is enabled and has not expired in Harbor.`;
  }

  /** Whether Harbor accepts the robot's credentials. Never throws. */
  checkCredentials(): Promise<RobotCheck> {
    return this.credentials.get('credentials', async () => {
      try {
        await this.harbor.get('/users/current/permissions', { query: { scope: '/system', relative: true } });
        return { ok: true };
      } catch (err) {
        return this.failure(err, 'checking the service robot');
      }
    });
  }

  /** Whether the robot holds `needed` in `project`; the message says what to grant. Never throws. */
  async checkProject(project: string, needed: readonly RobotPermission[]): Promise<RobotCheck> {
    const state = await this.projects.get(project, () => this.inspect(project));
    if (state.kind === 'problem') {
      if (state.problem === 'rejected') return { ok: false, problem: 'rejected', message: this.rejectedMessage };
      if (state.problem === 'no_access') return this.noAccess(project);
      if (state.problem === 'no_project')
        return { ok: false, problem: 'no_project', message: `Project "${project}" does not exist in Harbor.` };
      return { ok: false, problem: 'unreachable', message: state.detail };
    }
    const held = state.permissions;
    const granted = ROBOT_PERMISSIONS.some(
      (p) => held.has(permissionName(p)) && !PUBLIC_PROJECT_PERMISSIONS.includes(permissionName(p)),
    );
    if (!granted) return this.noAccess(project);
    const missing = needed.filter((p) => !held.has(permissionName(p)));
    if (missing.length === 0) return { ok: true };
    const names = missing.map(permissionName);
    return {
      ok: false,
      problem: 'missing_permissions',
      missing: names,
      message: `The service robot (${this.name}) lacks ${names.join(', ')} in project "${project}" (needed for ${[...new Set(missing.map((p) => p.why))].join('; ')}): grant ${names.length > 1 ? 'them' : 'it'} to the robot in Harbor (Administration > Robot Accounts).`,
    };
  }

  /**
   * After Harbor answered 401 or 403 to a call made as the robot in `project`: which of the robot's
   * problems it was (asked afresh), or undefined when `err` is no such refusal or Harbor finds no problem.
   */
  async explainRefusal(
    project: string,
    err: unknown,
    needed: readonly RobotPermission[],
  ): Promise<Exclude<RobotCheck, { ok: true }> | undefined> {
    if (!(err instanceof HarborError) || (err.status !== 401 && err.status !== 403)) return undefined;
    this.forget();
    const check = await this.checkProject(project, needed);
    return check.ok || check.problem === 'unreachable' ? undefined : check;
  }

  /** Forgets cached answers (after Harbor refused something the cache said was allowed). */
  forget(): void {
    this.credentials.clear();
    this.projects.clear();
  }

  private noAccess(project: string): RobotCheck {
    const all = ROBOT_PERMISSIONS.map(permissionName).join(', ');
    return {
      ok: false,
      problem: 'no_access',
      message: `The service robot (${this.name}) has no access to project "${project}": in Harbor (Administration > Robot Accounts), add the project to the robot's permissions with ${all}.`,
    };
  }

  private async inspect(project: string): Promise<ProjectState> {
    try {
      const found = await getProjectByName(this.harbor, project);
      if (typeof found.project_id !== 'number') {
        return {
          kind: 'problem',
          problem: 'unreachable',
          detail: `Harbor returned project "${project}" without an id`,
        };
      }
      const listed = await getProjectPermissions(this.harbor, undefined, found.project_id);
      return { kind: 'held', permissions: new Set(listed.map(permissionName)) };
    } catch (err) {
      if (err instanceof HarborError && err.status === 403)
        return { kind: 'problem', problem: 'no_access', detail: '' };
      if (err instanceof HarborError && err.status === 404)
        return { kind: 'problem', problem: 'no_project', detail: '' };
      const f = this.failure(err, `checking the service robot's access to project "${project}"`);
      if (f.ok || f.problem === 'unreachable')
        return { kind: 'problem', problem: 'unreachable', detail: f.ok ? '' : f.message };
      return { kind: 'problem', problem: 'rejected', detail: f.message };
    }
  }

  private failure(err: unknown, what: string): RobotCheck {
    if (err instanceof HarborError && err.status === 401) {
      return { ok: false, problem: 'rejected', message: this.rejectedMessage };
    }
    const reason = err instanceof Error ? err.message : String(err);
    const answered = err instanceof HarborError && err.status > 0 && err.status < 500;
    const message = answered
      ? `Harbor answered ${err.status} while ${what}: ${reason}`
      : `Harbor did not answer while ${what}: ${reason}`;
    return { ok: false, problem: 'unreachable', message };
  }
}
