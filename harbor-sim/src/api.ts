// The /api/v2.0 routes the product uses, with Harbor's permission checks, list conventions and error bodies.
import express, { type NextFunction, type Request, type Response } from 'express';
import { randomBytes } from 'node:crypto';
import type { Auth, Principal } from './auth';
import type { ArtifactRecord, RegistryCatalog, RepositoryRecord } from './catalog';
import { ZERO_TIME } from './catalog';
import {
  badRequest,
  conflict,
  forbidden,
  HarborError,
  notFound,
  precondition,
  sendError,
  unauthorized,
} from './errors';
import { isImmutable, validateRule } from './immutable';
import { ALL_PROJECT_POLICIES, type RoleId, ROLE_NAMES } from './rbac';
import {
  compareBy,
  matchString,
  pageOf,
  parsePaging,
  parseQuery,
  parseSort,
  setPagingHeaders,
  type Query,
} from './query';
import { RegistryError, type RegistryClient } from '@harbor-patching/oci-testkit/registry';
import type { SyntheticCatalog } from './scale';
import { acceptedMimes, MIME_NATIVE_11, scanRecordOf, startIndexScan, startScan, type ScanContext } from './scans';
import { SEVERITIES } from './scanner';
import {
  now,
  type ImmutableRule,
  type Project,
  type Robot,
  type SimState,
  type Vulnerability,
  type WebhookPolicy,
} from './state';
import { artifactView, labelView, principalName, projectView, robotView, userView } from './views';
import { EVENT_TYPES, type Webhooks } from './webhooks';

export interface ApiContext {
  state: SimState;
  auth: Auth;
  registry: RegistryClient;
  catalog: RegistryCatalog;
  synthetic: SyntheticCatalog;
  webhooks: Webhooks;
  scans: ScanContext;
  harborVersion: string;
  externalUrl: () => string;
}

type Handler = (req: Request, res: Response) => Promise<void> | void;

/** Wraps a handler: Harbor errors become Harbor error bodies, registry failures map to their status. */
export const handle =
  (fn: Handler) =>
  async (req: Request, res: Response, _next: NextFunction): Promise<void> => {
    try {
      await fn(req, res);
    } catch (err) {
      if (err instanceof HarborError) return sendError(res, err);
      if (err instanceof RegistryError) {
        const code = err.status === 404 ? 'NOT_FOUND' : err.status === 405 ? 'METHOD_NOT_ALLOWED' : 'UNKNOWN';
        return sendError(res, new HarborError(code, err.message));
      }
      sendError(res, new HarborError('UNKNOWN', (err as Error).message));
    }
  };

const boolParam = (v: unknown, dflt: boolean) => (v === undefined ? dflt : String(v) === 'true');

export function apiRouter(ctx: ApiContext): express.Router {
  const { state, auth, catalog, synthetic } = ctx;
  const r = express.Router();
  r.use(express.json({ limit: '1mb' }));

  const principalOf = (req: Request): Principal => auth.principal(req);
  const deny = (principal: Principal) => (principal.kind === 'anonymous' ? unauthorized() : forbidden());

  /** Finds a project and checks one permission in it (404 first, then 401/403 like Harbor). */
  const projectFor = (req: Request, param: string, resource: string, action: string): [Project, Principal] => {
    const principal = principalOf(req);
    const isName = req.headers['x-is-resource-name'] === 'true';
    const project = state.findProject(String(req.params[param]), isName);
    if (!project) throw notFound(`project ${req.params[param]} not found`);
    if (!auth.can(principal, project, resource, action)) throw deny(principal);
    return [project, principal];
  };

  /** Repository name from the path: Harbor wants names with '/' URL-encoded twice (a%252Fb). */
  const repositoryFor = (req: Request, project: Project): string => {
    const raw = req.originalUrl.split('?')[0].match(/\/repositories\/([^/]+)/)?.[1] ?? '';
    const once = safeDecode(raw);
    if (once.includes('/'))
      throw notFound(`repository ${once} not found: encode '/' in repository names twice (a%252Fb)`);
    return `${project.name}/${safeDecode(once)}`;
  };

  const listArtifacts = async (project: Project, repository: string): Promise<ArtifactRecord[]> => {
    if (project.synthetic) return synthetic.repository(repository)?.artifacts ?? [];
    const list = await catalog.artifacts(project, repository);
    return list.sort(
      compareBy<ArtifactRecord>([
        { field: 'push_time', desc: true },
        { field: 'id', desc: false },
      ]),
    );
  };

  /** Harbor's artifact controller (GetByReference): the repository is looked up by its exact name first. */
  const findArtifact = async (project: Project, repository: string, reference: string) => {
    const known = project.synthetic
      ? synthetic.repository(repository) !== undefined
      : await ctx.registry.hasRepository(repository);
    if (!known) throw notFound(`repository ${repository} not found`);
    const found = project.synthetic
      ? synthetic.artifact(repository, reference)
      : await catalog.artifact(project, repository, reference);
    if (!found) throw notFound(`artifact ${repository}@${reference} not found`);
    return found;
  };

  const listRepositories = async (project: Project): Promise<RepositoryRecord[]> => {
    if (project.synthetic) return synthetic.repositoryList(project);
    const list = await catalog.repositories(project);
    return list.sort(
      compareBy<RepositoryRecord>([
        { field: 'creation_time', desc: true },
        { field: 'id', desc: false },
      ]),
    );
  };

  const repoCount = async (project: Project) =>
    project.synthetic ? synthetic.repositoryList(project).length : (await catalog.repositoryNames(project)).length;

  const viewOptions = (req: Request) => ({
    withTag: boolParam(req.query.with_tag, true),
    withLabel: boolParam(req.query.with_label, false),
    withScanOverview: boolParam(req.query.with_scan_overview, false),
    withImmutableStatus: boolParam(req.query.with_immutable_status, false),
    withAccessory: boolParam(req.query.with_accessory, true),
    accept: req.headers['x-accept-vulnerabilities'] as string | undefined,
  });

  // ---------------- system ----------------
  r.get('/ping', (_req, res) => {
    res.type('text/plain').send('Pong');
  });
  r.get(
    '/health',
    handle(async (_req, res) => {
      const registryUp = await ctx.registry.ping();
      const components = [
        { name: 'core', status: 'healthy' },
        { name: 'jobservice', status: 'healthy' },
        registryUp
          ? { name: 'registry', status: 'healthy' }
          : { name: 'registry', status: 'unhealthy', error: 'registry is unreachable' },
      ];
      res.json({ status: registryUp ? 'healthy' : 'unhealthy', components });
    }),
  );
  r.get('/systeminfo', (req, res) => {
    const principal = principalOf(req);
    const info: Record<string, unknown> = {
      auth_mode: 'db_auth',
      primary_auth_mode: false,
      self_registration: false,
      has_ca_root: false,
      harbor_version: ctx.harborVersion,
      banner_message: '',
      current_time: now(),
      oidc_provider_name: '',
    };
    if (principal.kind !== 'anonymous') {
      const url = new URL(ctx.externalUrl());
      Object.assign(info, {
        external_url: ctx.externalUrl(),
        registry_url: url.host,
        project_creation_restriction: 'everyone',
        read_only: false,
        notification_enable: true,
        registry_storage_provider_name: 'filesystem',
      });
    }
    res.json(info);
  });

  // ---------------- current user ----------------
  r.get(
    '/users/current',
    handle((req, res) => {
      const principal = principalOf(req);
      if (principal.kind === 'anonymous') throw unauthorized();
      if (principal.kind !== 'user')
        throw precondition('the caller is not a local user (robot accounts have no user record)');
      res.json(userView(principal.user));
    }),
  );

  r.get(
    '/users/current/permissions',
    handle((req, res) => {
      const principal = principalOf(req);
      if (principal.kind === 'anonymous') throw unauthorized();
      const scope = String(req.query.scope ?? '');
      const relative = boolParam(req.query.relative, false);
      const m = scope.match(/^\/project\/([^/]*)\/?/);
      if (m) {
        const project = state.findProject(m[1]);
        if (!project || !/^\d+$/.test(m[1])) {
          res.json([]);
          return;
        }
        const prefix = `/project/${project.project_id}`;
        const out = ALL_PROJECT_POLICIES.filter((p) => auth.can(principal, project, p.resource, p.action)).map((p) => ({
          resource: relative ? p.resource : p.resource ? `${prefix}/${p.resource}` : prefix,
          action: p.action,
        }));
        res.json(out);
        return;
      }
      if (scope.startsWith('/system')) {
        if (!auth.isSysadmin(principal)) {
          res.json([]);
          return;
        }
        const sys = ['project', 'user', 'label', 'robot', 'registry', 'replication', 'scan-all', 'audit-log'];
        res.json(
          sys.flatMap((s) =>
            ['create', 'read', 'update', 'delete', 'list'].map((a) => ({
              resource: relative ? s : `/system/${s}`,
              action: a,
            })),
          ),
        );
        return;
      }
      throw badRequest(`scope "${scope}" is not valid: use /project/<project id> or /system`, 'scope');
    }),
  );

  // ---------------- projects ----------------
  const visibleProjects = (principal: Principal) =>
    state.projects.filter((p) => {
      if (p.public || auth.isSysadmin(principal)) return true;
      if (principal.kind === 'user') return state.roleOf(p.project_id, principal.user.user_id) !== undefined;
      if (principal.kind === 'robot') return auth.can(principal, p, '', 'read');
      return false;
    });

  r.head(
    '/projects',
    handle((req, res) => {
      const principal = principalOf(req);
      if (principal.kind === 'anonymous') throw unauthorized();
      const name = req.query.project_name;
      if (typeof name !== 'string' || !name) throw badRequest('project_name is required', 'project_name');
      res.status(state.findProject(name, true) ? 200 : 404).end();
    }),
  );

  r.get(
    '/projects',
    handle(async (req, res) => {
      const principal = principalOf(req);
      const paging = parsePaging(req);
      const q = parseQuery(req.query.q);
      let list = visibleProjects(principal);
      if (typeof req.query.name === 'string') list = list.filter((p) => p.name.includes(String(req.query.name)));
      if (req.query.public !== undefined) list = list.filter((p) => p.public === boolParam(req.query.public, false));
      const nameQuery = q.get('name');
      if (nameQuery) list = list.filter((p) => matchString(p.name, nameQuery));
      const sort = parseSort(req.query.sort, ['name', 'creation_time', 'update_time', 'project_id']);
      list = [...list].sort(compareBy(sort.length ? sort : [{ field: 'name', desc: false }]));
      setPagingHeaders(req, res, list.length, paging);
      const page = pageOf(list, paging);
      res.json(await Promise.all(page.map(async (p) => projectView(state, p, principal, await repoCount(p)))));
    }),
  );

  r.post(
    '/projects',
    handle((req, res) => {
      const principal = principalOf(req);
      if (principal.kind === 'anonymous') throw unauthorized();
      if (principal.kind !== 'user') throw forbidden('only users can create projects here');
      const body = req.body as { project_name?: string; public?: boolean; metadata?: Record<string, string> };
      const name = body?.project_name;
      if (typeof name !== 'string' || !/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(name) || name.length > 255)
        throw badRequest('project_name must be lowercase letters, digits and ._- (e.g. "team-a")', 'project_name');
      if (state.findProject(name, true)) throw conflict(`project ${name} already exists`);
      const isPublic = body.public ?? body.metadata?.public === 'true';
      const project = addProject(state, {
        name,
        public: isPublic,
        auto_scan: body.metadata?.auto_scan === 'true',
        // Harbor takes "true" or "1", in any case (project.go isTrue).
        content_trust_cosign: ['true', '1'].includes(String(body.metadata?.enable_content_trust_cosign).toLowerCase()),
        owner_id: principal.user.user_id,
      });
      state.members.push({
        id: state.nextId('member'),
        project_id: project.project_id,
        user_id: principal.user.user_id,
        role_id: 1,
      });
      res.setHeader('Location', `/api/v2.0/projects/${project.project_id}`);
      res.status(201).end();
    }),
  );

  r.get(
    '/projects/:project',
    handle(async (req, res) => {
      const [project, principal] = projectFor(req, 'project', '', 'read');
      res.json(projectView(state, project, principal, await repoCount(project)));
    }),
  );

  r.get(
    '/projects/:project/members',
    handle((req, res) => {
      const [project] = projectFor(req, 'project', 'member', 'list');
      const paging = parsePaging(req);
      const list = state.members
        .filter((m) => m.project_id === project.project_id)
        .map((m) => ({
          id: m.id,
          project_id: m.project_id,
          entity_name: state.users.find((u) => u.user_id === m.user_id)?.username ?? '',
          role_name: ROLE_NAMES[m.role_id],
          role_id: m.role_id,
          entity_id: m.user_id,
          entity_type: 'u',
        }));
      setPagingHeaders(req, res, list.length, paging);
      res.json(pageOf(list, paging));
    }),
  );

  r.post(
    '/projects/:project/members',
    handle((req, res) => {
      const [project] = projectFor(req, 'project', 'member', 'create');
      const body = req.body as { role_id?: number; member_user?: { user_id?: number; username?: string } };
      if (!body?.role_id || ![1, 2, 3, 4, 5].includes(body.role_id))
        throw badRequest('role_id must be 1 to 5', 'role_id');
      const user = state.users.find(
        (u) => u.user_id === body.member_user?.user_id || u.username === body.member_user?.username,
      );
      if (!user) throw notFound('user not found: give member_user.username or member_user.user_id');
      if (state.roleOf(project.project_id, user.user_id)) throw conflict(`${user.username} is already a member`);
      const id = state.nextId('member');
      state.members.push({
        id,
        project_id: project.project_id,
        user_id: user.user_id,
        role_id: body.role_id as RoleId,
      });
      res.setHeader('Location', `/api/v2.0/projects/${project.project_id}/members/${id}`);
      res.status(201).end();
    }),
  );

  // ---------------- repositories ----------------
  r.get(
    '/projects/:project/repositories',
    handle(async (req, res) => {
      const [project] = projectFor(req, 'project', 'repository', 'list');
      const paging = parsePaging(req);
      const q = parseQuery(req.query.q);
      const sort = parseSort(req.query.sort, [
        'name',
        'creation_time',
        'update_time',
        'id',
        'artifact_count',
        'pull_count',
      ]);
      let list = await listRepositories(project);
      const nameQuery = q.get('name');
      if (nameQuery) list = list.filter((repo) => matchString(repo.name, nameQuery));
      if (sort.length) list = [...list].sort(compareBy(sort));
      setPagingHeaders(req, res, list.length, paging);
      res.json(pageOf(list, paging));
    }),
  );

  r.get(
    '/projects/:project/repositories/:repository',
    handle(async (req, res) => {
      const [project] = projectFor(req, 'project', 'repository', 'read');
      const name = repositoryFor(req, project);
      const repo = project.synthetic ? synthetic.repository(name)?.record : await catalog.repository(project, name);
      if (!repo) throw notFound(`repository ${name} not found`);
      res.json(repo);
    }),
  );

  // ---------------- artifacts ----------------
  const filterArtifacts = (list: ArtifactRecord[], q: Query): ArtifactRecord[] => {
    let out = list;
    for (const [key, value] of q) {
      if (key === 'tags') {
        if (value.kind === 'exact' && value.value === '*') out = out.filter((a) => a.tags.length > 0);
        else if (value.kind === 'exact' && value.value === 'nil') out = out.filter((a) => a.tags.length === 0);
        else out = out.filter((a) => a.tags.some((t) => matchString(t.name, value)));
      } else if (key === 'labels') {
        const wanted =
          value.kind === 'and' || value.kind === 'or' ? value.values : value.kind === 'exact' ? [value.value] : [];
        out = out.filter((a) => {
          const have = state.artifactLabels.get(`${a.repository_name}@${a.digest}`) ?? [];
          return value.kind === 'or'
            ? wanted.some((id) => have.includes(Number(id)))
            : wanted.every((id) => have.includes(Number(id)));
        });
      } else if (key === 'digest') out = out.filter((a) => matchString(a.digest, value));
      else if (key === 'type') out = out.filter((a) => matchString(a.type, value));
      else if (key === 'media_type') out = out.filter((a) => matchString(a.media_type, value));
      else throw badRequest(`cannot filter artifacts by "${key}"; use tags, labels, digest, type or media_type`, 'q');
    }
    return out;
  };

  r.get(
    '/projects/:project/repositories/:repository/artifacts',
    handle(async (req, res) => {
      const [project] = projectFor(req, 'project', 'artifact', 'list');
      const name = repositoryFor(req, project);
      const paging = parsePaging(req);
      const q = parseQuery(req.query.q);
      const sort = parseSort(req.query.sort, ['push_time', 'pull_time', 'id', 'size', 'digest']);
      let list = filterArtifacts(await listArtifacts(project, name), q);
      if (sort.length) list = [...list].sort(compareBy(sort));
      setPagingHeaders(req, res, list.length, paging);
      const options = viewOptions(req);
      res.json(pageOf(list, paging).map((a) => artifactView(state, project, a, options)));
    }),
  );

  r.get(
    '/projects/:project/repositories/:repository/artifacts/:reference',
    handle(async (req, res) => {
      const [project] = projectFor(req, 'project', 'artifact', 'read');
      const name = repositoryFor(req, project);
      const artifact = await findArtifact(project, name, String(req.params.reference));
      res.json(artifactView(state, project, artifact, viewOptions(req)));
    }),
  );

  r.get(
    '/projects/:project/repositories/:repository/artifacts/:reference/accessories',
    handle(async (req, res) => {
      const [project] = projectFor(req, 'project', 'accessory', 'list');
      const name = repositoryFor(req, project);
      const artifact = await findArtifact(project, name, String(req.params.reference));
      const paging = parsePaging(req);
      const q = parseQuery(req.query.q);
      // q filters on the accessory's fields (e.g. q=type=signature.cosign), as the artifact list's q does.
      const list = artifact.accessories.filter((a) =>
        [...q].every(([k, v]) => matchString(String((a as unknown as Record<string, unknown>)[k] ?? ''), v)),
      );
      setPagingHeaders(req, res, list.length, paging);
      res.json(pageOf(list, paging));
    }),
  );

  r.delete(
    '/projects/:project/repositories/:repository/artifacts/:reference',
    handle(async (req, res) => {
      const [project, principal] = projectFor(req, 'project', 'artifact', 'delete');
      const name = repositoryFor(req, project);
      const artifact = await findArtifact(project, name, String(req.params.reference));
      const locked = artifact.tags.find((t) => isImmutable(state, project.project_id, name, t.name));
      if (locked) throw precondition(`the artifact ${name}:${locked.name} is protected by an immutable tag rule`);
      if (project.synthetic) synthetic.removeArtifact(name, artifact.digest);
      else await ctx.registry.deleteManifest(name, artifact.digest);
      state.knownDigests.get(name)?.delete(artifact.digest);
      state.artifactLabels.delete(`${name}@${artifact.digest}`);
      ctx.webhooks.emit(
        project,
        'DELETE_ARTIFACT',
        principalName(principal),
        name,
        [
          {
            digest: artifact.digest,
            tag: artifact.tags[0]?.name ?? '',
            resource_url: `${new URL(ctx.externalUrl()).host}/${name}@${artifact.digest}`,
          },
        ],
        artifact.push_time,
      );
      res.status(200).end();
    }),
  );

  // ---------------- scanning ----------------
  r.post(
    '/projects/:project/repositories/:repository/artifacts/:reference/scan',
    handle(async (req, res) => {
      const [project, principal] = projectFor(req, 'project', 'scan', 'create');
      const name = repositoryFor(req, project);
      const artifact = await findArtifact(project, name, String(req.params.reference));
      // Harbor checks the project's scanner registration first (scan base_controller.go Scan).
      if (!project.scanner) throw precondition(`no available scanner for project: ${project.project_id}`);
      const scanType = (req.body as { scan_type?: string } | undefined)?.scan_type ?? 'vulnerability';
      if (scanType !== 'vulnerability')
        throw new HarborError('UNPROCESSABLE_ENTITY', `scan_type ${scanType} is not supported by this scanner`);
      if (!artifact.scannable)
        throw new HarborError(
          'UNPROCESSABLE_ENTITY',
          `the configured scanner does not support artifacts of type ${artifact.type} (${artifact.media_type})`,
        );
      const existing = scanRecordOf(state, artifact.digest);
      if (existing && (existing.status === 'Pending' || existing.status === 'Running')) {
        // Harbor refuses a second scan while a report is not final (scan base_controller.go makeReportPlaceholder).
        throw new HarborError('CONFLICT', `a previous scan process is ${existing.status}`);
      }
      if (project.synthetic) {
        const base = existing ?? {
          report_id: randomBytes(16).toString('hex'),
          status: 'Success' as const,
          start_time: now(),
          log: [],
          summary: { total: 0, fixable: 0, summary: {} },
          severity: 'None',
        };
        state.scans.set(artifact.digest, { ...base, status: 'Success', start_time: now(), end_time: now() });
      } else if (artifact.references.length > 0) {
        const children = await catalog.scannableChildren(project, artifact);
        if (children.length === 0)
          throw new HarborError(
            'UNPROCESSABLE_ENTITY',
            `the index ${artifact.digest} has no image the scanner supports`,
          );
        startIndexScan(ctx.scans, project, artifact, children, principalName(principal));
      } else startScan(ctx.scans, project, artifact, principalName(principal));
      res.status(202).end();
    }),
  );

  r.get(
    '/projects/:project/repositories/:repository/artifacts/:reference/scan/:reportId/log',
    handle(async (req, res) => {
      const [project] = projectFor(req, 'project', 'scan', 'read');
      const name = repositoryFor(req, project);
      const artifact = await findArtifact(project, name, String(req.params.reference));
      const record = scanRecordOf(state, artifact.digest);
      if (!record || record.report_id !== req.params.reportId)
        throw notFound(`scan report ${req.params.reportId} not found`);
      res.type('text/plain').send(record.log.join('\n') + '\n');
    }),
  );

  r.get(
    '/projects/:project/repositories/:repository/artifacts/:reference/additions/vulnerabilities',
    handle(async (req, res) => {
      const [project] = projectFor(req, 'project', 'artifact-addition', 'read');
      const name = repositoryFor(req, project);
      const artifact = await findArtifact(project, name, String(req.params.reference));
      // Harbor: scan base_controller.go GetReport without a registration.
      if (!project.scanner) throw notFound(`no scanner registration configured for project: ${project.project_id}`);
      const record = scanRecordOf(state, artifact.digest);
      const mime = acceptedMimes(req.headers['x-accept-vulnerabilities'] as string | undefined)[0];
      const out: Record<string, unknown> = {};
      if (record?.status === 'Success') {
        out[mime] =
          record.report ??
          syntheticReport(artifact, record.summary, record.severity ?? 'None', record.end_time ?? now());
      }
      res.type('application/json').send(JSON.stringify(out));
    }),
  );

  // ---------------- tags ----------------
  r.get(
    '/projects/:project/repositories/:repository/artifacts/:reference/tags',
    handle(async (req, res) => {
      const [project] = projectFor(req, 'project', 'tag', 'list');
      const name = repositoryFor(req, project);
      const artifact = await findArtifact(project, name, String(req.params.reference));
      const paging = parsePaging(req);
      const withImmutable = boolParam(req.query.with_immutable_status, false);
      const tags = artifact.tags.map((t) => ({
        ...t,
        immutable: withImmutable && isImmutable(state, project.project_id, name, t.name),
      }));
      setPagingHeaders(req, res, tags.length, paging);
      res.json(pageOf(tags, paging));
    }),
  );

  r.post(
    '/projects/:project/repositories/:repository/artifacts/:reference/tags',
    handle(async (req, res) => {
      const [project] = projectFor(req, 'project', 'tag', 'create');
      const name = repositoryFor(req, project);
      const tag = (req.body as { name?: string } | undefined)?.name;
      if (typeof tag !== 'string' || !/^[\w][\w.-]{0,127}$/.test(tag))
        throw badRequest('name must be a valid tag: letters, digits, _ . - (at most 128)', 'name');
      const artifact = await findArtifact(project, name, String(req.params.reference));
      const all = await listArtifacts(project, name);
      if (all.some((a) => a.tags.some((t) => t.name === tag))) throw conflict(`tag ${tag} already exists in ${name}`);
      if (project.synthetic) synthetic.addTag(name, artifact.digest, tag);
      else {
        const manifest = await ctx.registry.manifest(name, artifact.digest);
        if (!manifest) throw notFound(`artifact ${name}@${artifact.digest} not found`);
        await ctx.registry.tagManifest(name, tag, manifest);
        state.deletedTags.delete(`${name}:${tag}`);
        state.pushTimes.set(`${name}@${artifact.digest}#${tag}`, now());
      }
      res.setHeader('Location', req.originalUrl.split('?')[0] + '/' + tag);
      res.status(201).end();
    }),
  );

  r.delete(
    '/projects/:project/repositories/:repository/artifacts/:reference/tags/:tag',
    handle(async (req, res) => {
      const [project] = projectFor(req, 'project', 'tag', 'delete');
      const name = repositoryFor(req, project);
      const tag = String(req.params.tag);
      const artifact = await findArtifact(project, name, String(req.params.reference));
      if (!artifact.tags.some((t) => t.name === tag))
        throw notFound(`tag ${tag} not found on ${name}@${artifact.digest}`);
      if (isImmutable(state, project.project_id, name, tag))
        throw precondition(`the tag ${name}:${tag} is protected by an immutable tag rule and cannot be deleted`);
      if (project.synthetic) synthetic.removeTag(name, tag);
      else state.deletedTags.set(`${name}:${tag}`, artifact.digest);
      res.status(200).end();
    }),
  );

  // ---------------- artifact labels ----------------
  r.post(
    '/projects/:project/repositories/:repository/artifacts/:reference/labels',
    handle(async (req, res) => {
      const [project] = projectFor(req, 'project', 'artifact-label', 'create');
      const name = repositoryFor(req, project);
      const id = Number((req.body as { id?: number } | undefined)?.id);
      if (!Number.isInteger(id) || id <= 0) throw badRequest('the body must be {"id": <label id>}', 'id');
      const label = state.labels.find((l) => l.id === id);
      if (!label) throw notFound(`label ${id} not found`);
      if (label.scope === 'p' && label.project_id !== project.project_id)
        throw badRequest(`label ${id} belongs to another project`, 'id');
      const artifact = await findArtifact(project, name, String(req.params.reference));
      const key = `${name}@${artifact.digest}`;
      const ids = state.artifactLabels.get(key) ?? [];
      if (ids.includes(id)) throw conflict(`label ${id} is already added to the artifact`);
      state.artifactLabels.set(key, [...ids, id]);
      res.status(200).end();
    }),
  );

  r.delete(
    '/projects/:project/repositories/:repository/artifacts/:reference/labels/:labelId',
    handle(async (req, res) => {
      const [project] = projectFor(req, 'project', 'artifact-label', 'delete');
      const name = repositoryFor(req, project);
      const artifact = await findArtifact(project, name, String(req.params.reference));
      const key = `${name}@${artifact.digest}`;
      const id = Number(req.params.labelId);
      const ids = state.artifactLabels.get(key) ?? [];
      if (!ids.includes(id)) throw notFound(`label ${id} is not on the artifact`);
      state.artifactLabels.set(
        key,
        ids.filter((x) => x !== id),
      );
      res.status(200).end();
    }),
  );

  // ---------------- labels ----------------
  r.get(
    '/labels',
    handle((req, res) => {
      const principal = principalOf(req);
      const scope = String(req.query.scope ?? 'g');
      const paging = parsePaging(req);
      let list;
      if (scope === 'g') {
        list = state.labels.filter((l) => l.scope === 'g');
      } else if (scope === 'p') {
        const pid = Number(req.query.project_id);
        if (!Number.isInteger(pid) || pid <= 0) throw badRequest('project_id is required for scope=p', 'project_id');
        const project = state.findProject(pid);
        if (!project) throw notFound(`project ${pid} not found`);
        if (!auth.can(principal, project, 'label', 'list')) throw deny(principal);
        list = state.labels.filter((l) => l.scope === 'p' && l.project_id === pid);
      } else throw badRequest('scope must be g (global) or p (project)', 'scope');
      if (typeof req.query.name === 'string') list = list.filter((l) => l.name.includes(String(req.query.name)));
      setPagingHeaders(req, res, list.length, paging);
      res.json(pageOf(list, paging).map(labelView));
    }),
  );

  r.get(
    '/labels/:id',
    handle((req, res) => {
      const principal = principalOf(req);
      const label = state.labels.find((l) => l.id === Number(req.params.id));
      if (!label) throw notFound(`label ${req.params.id} not found`);
      if (label.scope === 'p') {
        const project = state.findProject(label.project_id)!;
        if (!auth.can(principal, project, 'label', 'read')) throw deny(principal);
      } else if (principal.kind === 'anonymous') throw unauthorized();
      res.json(labelView(label));
    }),
  );

  r.post(
    '/labels',
    handle((req, res) => {
      const principal = principalOf(req);
      if (principal.kind === 'anonymous') throw unauthorized();
      const body = req.body as {
        name?: string;
        description?: string;
        color?: string;
        scope?: string;
        project_id?: number;
      };
      if (!body?.name) throw badRequest('name is required', 'name');
      const scope = body.scope ?? 'g';
      if (scope === 'g') {
        if (!auth.isSysadmin(principal)) throw forbidden('only system administrators can create global labels');
      } else if (scope === 'p') {
        const project = state.findProject(Number(body.project_id));
        if (!project) throw badRequest('project_id must name an existing project for scope p', 'project_id');
        if (!auth.can(principal, project, 'label', 'create')) throw forbidden();
      } else throw badRequest('scope must be g or p', 'scope');
      if (
        state.labels.some(
          (l) => l.name === body.name && l.scope === scope && (scope === 'g' || l.project_id === body.project_id),
        )
      )
        throw conflict(`label ${body.name} already exists`);
      const label = addLabel(state, {
        name: body.name,
        description: body.description,
        color: body.color,
        scope,
        project_id: body.project_id,
      });
      res.setHeader('Location', `/api/v2.0/labels/${label.id}`);
      res.status(201).end();
    }),
  );

  r.delete(
    '/labels/:id',
    handle((req, res) => {
      const principal = principalOf(req);
      const label = state.labels.find((l) => l.id === Number(req.params.id));
      if (!label) throw notFound(`label ${req.params.id} not found`);
      const allowed =
        label.scope === 'g'
          ? auth.isSysadmin(principal)
          : auth.can(principal, state.findProject(label.project_id)!, 'label', 'delete');
      if (!allowed) throw deny(principal);
      state.labels = state.labels.filter((l) => l !== label);
      for (const [key, ids] of state.artifactLabels)
        state.artifactLabels.set(
          key,
          ids.filter((id) => id !== label.id),
        );
      res.status(200).end();
    }),
  );

  // ---------------- immutable tag rules ----------------
  r.get(
    '/projects/:project/immutabletagrules',
    handle((req, res) => {
      const [project] = projectFor(req, 'project', 'immutable-tag', 'list');
      const paging = parsePaging(req);
      const list = state.immutableRules.filter((x) => x.project_id === project.project_id);
      setPagingHeaders(req, res, list.length, paging);
      res.json(pageOf(list, paging).map(ruleView));
    }),
  );

  r.post(
    '/projects/:project/immutabletagrules',
    handle((req, res) => {
      const [project] = projectFor(req, 'project', 'immutable-tag', 'create');
      const problem = validateRule(req.body);
      if (problem) throw badRequest(problem);
      const rule = addImmutableRule(state, project.project_id, req.body as Partial<ImmutableRule>);
      res.setHeader('Location', `/api/v2.0/projects/${project.project_id}/immutabletagrules/${rule.id}`);
      res.status(201).end();
    }),
  );

  r.put(
    '/projects/:project/immutabletagrules/:id',
    handle((req, res) => {
      const [project] = projectFor(req, 'project', 'immutable-tag', 'update');
      const rule = state.immutableRules.find(
        (x) => x.id === Number(req.params.id) && x.project_id === project.project_id,
      );
      if (!rule) throw notFound(`immutable rule ${req.params.id} not found`);
      const body = req.body as Partial<ImmutableRule>;
      // The portal toggles a rule by sending only {"disabled": true|false}.
      if (body && body.tag_selectors === undefined && typeof body.disabled === 'boolean') rule.disabled = body.disabled;
      else {
        const problem = validateRule(body);
        if (problem) throw badRequest(problem);
        Object.assign(rule, normalizeRule(body), { id: rule.id, project_id: rule.project_id });
      }
      res.status(200).end();
    }),
  );

  r.delete(
    '/projects/:project/immutabletagrules/:id',
    handle((req, res) => {
      const [project] = projectFor(req, 'project', 'immutable-tag', 'delete');
      const before = state.immutableRules.length;
      state.immutableRules = state.immutableRules.filter(
        (x) => !(x.id === Number(req.params.id) && x.project_id === project.project_id),
      );
      if (state.immutableRules.length === before) throw notFound(`immutable rule ${req.params.id} not found`);
      res.status(200).end();
    }),
  );

  // ---------------- webhooks ----------------
  r.get(
    '/projects/:project/webhook/events',
    handle((req, res) => {
      projectFor(req, 'project', 'notification-policy', 'read');
      res.json({
        event_type: EVENT_TYPES,
        notify_type: ['http', 'slack'],
        payload_formats: [
          { notify_type: 'http', formats: ['Default', 'CloudEvents'] },
          { notify_type: 'slack', formats: ['Default'] },
        ],
      });
    }),
  );

  r.get(
    '/projects/:project/webhook/policies',
    handle((req, res) => {
      const [project] = projectFor(req, 'project', 'notification-policy', 'list');
      const paging = parsePaging(req);
      const list = state.webhookPolicies.filter((p) => p.project_id === project.project_id);
      setPagingHeaders(req, res, list.length, paging);
      res.json(pageOf(list, paging).map(webhookView));
    }),
  );

  r.get(
    '/projects/:project/webhook/policies/:id',
    handle((req, res) => {
      const [project] = projectFor(req, 'project', 'notification-policy', 'read');
      const policy = state.webhookPolicies.find(
        (p) => p.id === Number(req.params.id) && p.project_id === project.project_id,
      );
      if (!policy) throw notFound(`webhook policy ${req.params.id} not found`);
      res.json(webhookView(policy));
    }),
  );

  r.post(
    '/projects/:project/webhook/policies',
    handle((req, res) => {
      const [project, principal] = projectFor(req, 'project', 'notification-policy', 'create');
      const policy = addWebhookPolicy(state, project.project_id, validateWebhook(req.body), principalName(principal));
      res.setHeader('Location', `/api/v2.0/projects/${project.project_id}/webhook/policies/${policy.id}`);
      res.status(201).end();
    }),
  );

  r.put(
    '/projects/:project/webhook/policies/:id',
    handle((req, res) => {
      const [project] = projectFor(req, 'project', 'notification-policy', 'update');
      const policy = state.webhookPolicies.find(
        (p) => p.id === Number(req.params.id) && p.project_id === project.project_id,
      );
      if (!policy) throw notFound(`webhook policy ${req.params.id} not found`);
      // Harbor stores the body as the whole record (handler/webhook.go UpdateWebhookPolicyOfProject, an ORM
      // update of every column): what the body leaves out is reset, and update_time is not bumped.
      const body = req.body as Partial<WebhookPolicy>;
      Object.assign(policy, validateWebhook(req.body), {
        enabled: body.enabled === true,
        creator: typeof body.creator === 'string' ? body.creator : '',
        creation_time: typeof body.creation_time === 'string' ? body.creation_time : ZERO_TIME,
        update_time: typeof body.update_time === 'string' ? body.update_time : ZERO_TIME,
      });
      res.status(200).end();
    }),
  );

  r.delete(
    '/projects/:project/webhook/policies/:id',
    handle((req, res) => {
      const [project] = projectFor(req, 'project', 'notification-policy', 'delete');
      const before = state.webhookPolicies.length;
      state.webhookPolicies = state.webhookPolicies.filter(
        (p) => !(p.id === Number(req.params.id) && p.project_id === project.project_id),
      );
      if (before === state.webhookPolicies.length) throw notFound(`webhook policy ${req.params.id} not found`);
      res.status(200).end();
    }),
  );

  // ---------------- robots ----------------
  r.get(
    '/robots',
    handle((req, res) => {
      const principal = principalOf(req);
      if (principal.kind === 'anonymous') throw unauthorized();
      const paging = parsePaging(req);
      const q = parseQuery(req.query.q);
      let list = state.robots;
      const level = q.get('Level') ?? q.get('level');
      const projectId = q.get('ProjectID') ?? q.get('project_id');
      if (level) list = list.filter((x) => matchString(x.level, level));
      if (projectId) {
        const project = state.findProject(projectId.kind === 'exact' ? projectId.value : '');
        if (!project) throw notFound('project not found');
        if (!auth.can(principal, project, 'robot', 'list')) throw deny(principal);
        list = list.filter((x) => x.level === 'project' && x.permissions[0]?.namespace === project.name);
      } else if (!auth.isSysadmin(principal))
        throw forbidden('listing all robots needs system administrator rights; filter by ProjectID');
      setPagingHeaders(req, res, list.length, paging);
      res.json(pageOf(list, paging).map(robotView));
    }),
  );

  r.get(
    '/robots/:id',
    handle((req, res) => {
      const principal = principalOf(req);
      const robot = state.robots.find((x) => x.id === Number(req.params.id));
      if (!robot) throw notFound(`robot ${req.params.id} not found`);
      if (!canManageRobot(principal, robot, 'read')) throw deny(principal);
      res.json(robotView(robot));
    }),
  );

  r.post(
    '/robots',
    handle((req, res) => {
      const principal = principalOf(req);
      if (principal.kind === 'anonymous') throw unauthorized();
      const body = req.body as Partial<Robot> & { name?: string };
      if (!body?.name || !/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/.test(body.name))
        throw badRequest('name must be lowercase letters, digits and ._-', 'name');
      const level = body.level;
      if (level !== 'system' && level !== 'project') throw badRequest('level must be system or project', 'level');
      const duration = body.duration ?? -1;
      if (!(duration === -1 || (Number.isInteger(duration) && duration > 0)))
        throw badRequest('duration must be -1 (never expires) or a positive number of days', 'duration');
      const permissions = body.permissions ?? [];
      if (!Array.isArray(permissions) || permissions.length === 0)
        throw badRequest('permissions must not be empty', 'permissions');
      let fullName: string;
      if (level === 'project') {
        if (permissions.length !== 1 || permissions[0].kind !== 'project')
          throw badRequest('a project robot needs exactly one permission of kind project', 'permissions');
        const project = state.findProject(permissions[0].namespace, true);
        if (!project) throw notFound(`project ${permissions[0].namespace} not found`);
        if (!auth.can(principal, project, 'robot', 'create')) throw forbidden();
        fullName = `robot$${project.name}+${body.name}`;
      } else {
        if (!auth.isSysadmin(principal)) throw forbidden('only system administrators can create system robots');
        fullName = `robot$${body.name}`;
      }
      if (state.robots.some((x) => x.name === fullName)) throw conflict(`robot ${fullName} already exists`);
      const robot = addRobot(state, {
        name: fullName,
        description: String((body as { description?: string }).description ?? ''),
        level,
        duration,
        disable: Boolean(body.disable),
        permissions,
      });
      res.setHeader('Location', `/api/v2.0/robots/${robot.id}`);
      res.status(201).json({
        id: robot.id,
        name: robot.name,
        secret: robot.secret,
        creation_time: robot.creation_time,
        expires_at: robot.expires_at,
      });
    }),
  );

  r.delete(
    '/robots/:id',
    handle((req, res) => {
      const principal = principalOf(req);
      const robot = state.robots.find((x) => x.id === Number(req.params.id));
      if (!robot) throw notFound(`robot ${req.params.id} not found`);
      if (!canManageRobot(principal, robot, 'delete')) throw deny(principal);
      state.robots = state.robots.filter((x) => x !== robot);
      res.status(200).end();
    }),
  );

  const canManageRobot = (principal: Principal, robot: Robot, action: string) => {
    if (auth.isSysadmin(principal)) return true;
    if (robot.level !== 'project') return false;
    const project = state.findProject(robot.permissions[0]?.namespace ?? '', true);
    return project !== undefined && auth.can(principal, project, 'robot', action);
  };

  r.use((req, res) =>
    sendError(res, notFound(`no route for ${req.method} ${req.baseUrl}${req.path} in this Harbor stand-in`)),
  );
  return r;
}

// ---------------- plain functions shared with the test helpers ----------------

export function addProject(
  state: SimState,
  o: {
    name: string;
    public?: boolean;
    auto_scan?: boolean;
    owner_id?: number;
    synthetic?: boolean;
    scanner?: boolean;
    content_trust_cosign?: boolean;
  },
): Project {
  const project: Project = {
    project_id: state.nextId('project'),
    name: o.name,
    public: o.public ?? false,
    auto_scan: o.auto_scan ?? false,
    owner_id: o.owner_id ?? 1,
    creation_time: now(),
    update_time: now(),
    synthetic: o.synthetic ?? false,
    scanner: o.scanner ?? !(state.projectsWithoutScanner.has('*') || state.projectsWithoutScanner.has(o.name)),
    content_trust_cosign: o.content_trust_cosign ?? false,
  };
  state.projects.push(project);
  return project;
}

export function addLabel(
  state: SimState,
  o: { name: string; description?: string; color?: string; scope?: string; project_id?: number },
) {
  const label = {
    id: state.nextId('label'),
    name: o.name,
    description: o.description ?? '',
    color: o.color ?? '#0095D3',
    scope: (o.scope === 'p' ? 'p' : 'g') as 'g' | 'p',
    project_id: o.scope === 'p' ? Number(o.project_id) : 0,
    creation_time: now(),
    update_time: now(),
  };
  state.labels.push(label);
  return label;
}

export function addRobot(
  state: SimState,
  o: Pick<Robot, 'name' | 'level' | 'permissions'> &
    Partial<Pick<Robot, 'description' | 'duration' | 'disable' | 'secret'>>,
): Robot {
  const duration = o.duration ?? -1;
  const robot: Robot = {
    id: state.nextId('robot'),
    name: o.name.startsWith('robot$') ? o.name : `robot$${o.name}`,
    secret: o.secret ?? randomBytes(16).toString('hex'),
    description: o.description ?? '',
    level: o.level,
    duration,
    disable: o.disable ?? false,
    permissions: o.permissions,
    creation_time: now(),
    update_time: now(),
    expires_at: duration === -1 ? -1 : Math.floor(Date.now() / 1000) + duration * 86400,
  };
  state.robots.push(robot);
  return robot;
}

function normalizeRule(body: Partial<ImmutableRule>) {
  return {
    priority: body.priority ?? 0,
    disabled: body.disabled ?? false,
    action: body.action ?? 'immutable',
    template: body.template ?? 'immutable_template',
    params: body.params ?? {},
    tag_selectors: body.tag_selectors ?? [],
    scope_selectors: body.scope_selectors ?? {
      repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }],
    },
  };
}

export function addImmutableRule(state: SimState, projectId: number, body: Partial<ImmutableRule>): ImmutableRule {
  const rule: ImmutableRule = { id: state.nextId('immutable'), project_id: projectId, ...normalizeRule(body) };
  state.immutableRules.push(rule);
  return rule;
}

function ruleView(rule: ImmutableRule) {
  const { project_id: _ignored, ...rest } = rule;
  return rest;
}

function validateWebhook(
  body: unknown,
): Pick<WebhookPolicy, 'name' | 'description' | 'targets' | 'event_types' | 'enabled'> {
  const b = body as Partial<WebhookPolicy> | undefined;
  if (!b || typeof b !== 'object') throw badRequest('the body must be a webhook policy object');
  if (!b.name) throw badRequest('name is required', 'name');
  if (!Array.isArray(b.targets) || b.targets.length === 0)
    throw badRequest('targets must hold at least one target', 'targets');
  if (!Array.isArray(b.event_types) || b.event_types.length === 0)
    throw badRequest('event_types must hold at least one event type', 'event_types');
  for (const e of b.event_types)
    if (!EVENT_TYPES.includes(e)) throw badRequest(`unknown event type ${e}`, 'event_types');
  const targets = b.targets.map((t, i) => {
    if (t.type !== 'http' && t.type !== 'slack')
      throw badRequest('target type must be http or slack', `targets[${i}].type`);
    let address: URL;
    try {
      address = new URL(t.address);
    } catch {
      throw badRequest('target address must be an http(s) URL', `targets[${i}].address`);
    }
    return {
      type: t.type,
      address: `${address.protocol}//${address.host}${address.pathname}`,
      auth_header: t.auth_header ?? '',
      skip_cert_verify: t.skip_cert_verify ?? false,
      payload_format: t.payload_format || 'Default',
    };
  });
  return {
    name: b.name,
    description: b.description ?? '',
    targets,
    event_types: b.event_types,
    enabled: b.enabled ?? true,
  };
}

export function addWebhookPolicy(
  state: SimState,
  projectId: number,
  o: Pick<WebhookPolicy, 'name' | 'targets' | 'event_types'> & Partial<Pick<WebhookPolicy, 'description' | 'enabled'>>,
  creator = 'admin',
): WebhookPolicy {
  const policy: WebhookPolicy = {
    id: state.nextId('webhook'),
    project_id: projectId,
    name: o.name,
    description: o.description ?? '',
    targets: o.targets,
    event_types: o.event_types,
    creator,
    enabled: o.enabled ?? true,
    creation_time: now(),
    update_time: now(),
  };
  state.webhookPolicies.push(policy);
  return policy;
}

function webhookView(policy: WebhookPolicy) {
  return {
    id: policy.id,
    name: policy.name,
    description: policy.description,
    project_id: policy.project_id,
    targets: policy.targets,
    event_types: policy.event_types,
    creator: policy.creator,
    creation_time: policy.creation_time,
    update_time: policy.update_time,
    enabled: policy.enabled,
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A report for synthetic artifacts, made up from their precomputed summary. */
function syntheticReport(
  artifact: ArtifactRecord,
  summary: { total: number; fixable: number; summary: Record<string, number> } | undefined,
  severity: string,
  time: string,
) {
  const vulnerabilities: Vulnerability[] = [];
  let n = 0;
  for (const level of [...SEVERITIES].reverse())
    for (let k = 0; k < (summary?.summary[level] ?? 0); k++, n++)
      vulnerabilities.push({
        id: `CVE-2099-${String(1000 + n)}`,
        package: `pkg-${n}`,
        version: '1.0-1',
        fix_version: n < (summary?.fixable ?? 0) ? '1.0-2' : '',
        severity: level,
        status: n < (summary?.fixable ?? 0) ? 'fixed' : 'affected',
        description: 'synthetic vulnerability',
        links: [],
        artifact_digests: [artifact.digest],
        preferred_cvss: { score_v3: null, score_v2: null, vector_v3: '', vector_v2: '' },
        cwe_ids: [],
        vendor_attributes: {},
      });
  return {
    generated_at: time,
    scanner: { name: 'HarborSim', vendor: 'harbor-patching', version: '1.0' },
    severity,
    vulnerabilities,
  };
}

export { MIME_NATIVE_11 };
