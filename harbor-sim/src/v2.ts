// /v2/ in front of the real registry with Harbor's registry auth (src/server/middleware/v2auth) and the token
// service (/service/token, src/core/service/token): anonymous callers get a Bearer challenge, callers with
// bad credentials a Basic one; pushes are checked against immutable tag rules before they are forwarded.
import { Agent as HttpAgent, type IncomingMessage, type ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { ApiContext } from './api';
import { basicCredentials, type Principal, type TokenAccess, TOKEN_TTL_S } from './auth';
import { isCosignSigned } from './accessories';
import { isImmutable } from './immutable';
import { startIndexScan, startScan } from './scans';
import type { Project } from './state';
import { now } from './state';
import { principalName } from './views';

const ROUTE = /^\/v2\/(.+?)\/(manifests|blobs|tags|referrers)(\/.*)?$/;
type Action = 'pull' | 'push' | 'delete';

interface Access {
  target: 'login' | 'catalog' | 'repository';
  name?: string;
  action?: Action;
}

function accessList(req: Request): Access[] {
  const path = req.path;
  if (path === '/v2/' || path === '/v2') return [{ target: 'login' }];
  if (path === '/v2/_catalog') return [{ target: 'catalog' }];
  const m = path.match(ROUTE);
  if (!m) return [];
  const action: Action | undefined = (
    { GET: 'pull', HEAD: 'pull', POST: 'push', PUT: 'push', PATCH: 'push', DELETE: 'delete' } as const
  )[req.method as 'GET'];
  if (!action) return [];
  const list: Access[] = [{ target: 'repository', name: m[1], action }];
  const from = req.query.from;
  if (req.method === 'POST' && typeof req.query.mount === 'string' && typeof from === 'string')
    list.push({ target: 'repository', name: from, action: 'pull' });
  return list;
}

const scopeOf = (a: Access) =>
  a.target !== 'repository' ? '' : `repository:${a.name}:${a.action === 'push' ? 'pull,push' : a.action}`;

const permissionAction = (action: Action) => action; // pull, push and delete map onto repository actions

export function v2Middleware(ctx: ApiContext & { externalUrl: () => string }) {
  const { state, auth } = ctx;

  const principalOf = (req: Request): Principal => {
    const header = req.headers.authorization ?? '';
    if (/^bearer /i.test(header)) return auth.verifyToken(header.slice(7).trim()) ?? { kind: 'anonymous' };
    const basic = basicCredentials(req);
    if (basic) return auth.login(basic.username, basic.password) ?? { kind: 'anonymous' };
    const user = auth.sessionUser(req);
    return user ? { kind: 'user', user, session: true } : { kind: 'anonymous' };
  };

  const challenge = (req: Request, list: Access[]): string => {
    if (req.headers.authorization || req.path === '/v2/_catalog') return 'Basic realm="harbor"';
    const scope = list.map(scopeOf).filter(Boolean).join(' ');
    const base = `Bearer realm="${ctx.externalUrl()}/service/token",service="harbor-registry"`;
    return scope ? `${base},scope="${scope}"` : base;
  };

  const reject = (res: Response, status: number, code: string, message: string, wwwAuth?: string) => {
    res.setHeader('Docker-Distribution-Api-Version', 'registry/2.0');
    if (wwwAuth !== undefined) res.setHeader('Www-Authenticate', wwwAuth);
    res.status(status).json({ errors: [{ code, message }] });
  };

  const check = (req: Request, res: Response, next: NextFunction) => {
    const list = accessList(req);
    const principal = principalOf(req);
    (req as Request & { principal?: Principal }).principal = principal;
    for (const a of list) {
      if (a.target === 'login' && principal.kind === 'anonymous')
        return reject(res, 401, 'UNAUTHORIZED', 'unauthorized', challenge(req, list));
      if (a.target === 'catalog' && !auth.isSysadmin(principal))
        return reject(res, 401, 'UNAUTHORIZED', 'unauthorized to list catalog', challenge(req, list));
      if (a.target === 'repository') {
        if (!req.headers.authorization && req.method === 'HEAD')
          return reject(
            res,
            401,
            'UNAUTHORIZED',
            'authorize header needed to send HEAD to repository',
            challenge(req, list),
          );
        const project = state.findProject(a.name!.split('/')[0], true);
        if (!project) return reject(res, 401, 'UNAUTHORIZED', `project ${a.name!.split('/')[0]} not found`, '');
        if (!auth.can(principal, project, 'repository', permissionAction(a.action!)))
          return reject(
            res,
            401,
            'UNAUTHORIZED',
            `unauthorized to access repository: ${a.name}, action: ${a.action}`,
            challenge(req, list),
          );
      }
    }
    const m = req.path.match(ROUTE);
    if (m && m[2] === 'referrers' && req.method === 'GET')
      return void referrers(req, res, m[1], m[3] ?? '').catch(next);
    if (m && m[2] === 'manifests' && m[3] && (req.method === 'GET' || req.method === 'HEAD')) {
      const project = state.findProject(m[1].split('/')[0], true)!;
      if (project.content_trust_cosign && !exemptFromContentTrust(req, principal, project, m[1])) {
        const reference = decodeURIComponent(m[3].slice(1));
        return void contentTrust(res, project, m[1], reference, () => void manifestChecks(req, res, next)).catch(next);
      }
    }
    void manifestChecks(req, res, next);
  };

  /**
   * Harbor's util.SkipPolicyChecking: a bearer token of /service/token that may push, used by cosign or
   * notation (their User-Agent), reads unsigned manifests, so signing tools can do their work.
   */
  const exemptFromContentTrust = (req: Request, principal: Principal, project: Project, repository: string) => {
    if (!/^bearer /i.test(req.headers.authorization ?? '')) return false;
    const agent = String(req.headers['user-agent'] ?? '');
    return (
      (agent.includes('cosign') || agent.includes('notation')) &&
      auth.can(principal, project, 'repository', 'push') &&
      repository.startsWith(`${project.name}/`)
    );
  };

  /**
   * Cosign content trust (src/server/middleware/contenttrust/contentrust.go): a manifest is served only when
   * the artifact has a `signature.cosign` accessory, or is itself a signature; otherwise 412.
   */
  const contentTrust = async (
    res: Response,
    project: Project,
    repository: string,
    reference: string,
    next: () => void,
  ) => {
    const all = await ctx.catalog.everyArtifact(project, repository);
    let artifact = all.find((a) => a.digest === reference);
    if (!artifact && !reference.startsWith('sha256:')) {
      const digest = (await ctx.catalog.tagDigests(repository)).get(reference);
      artifact = all.find((a) => a.digest === digest);
    }
    if (!artifact) return next(); // the registry answers 404
    const own = artifact.accessory?.type;
    if (own === 'signature.cosign' || own === 'signature.notation' || isCosignSigned(artifact)) return next();
    reject(res, 412, 'PROJECTPOLICYVIOLATION', 'The image is not signed by cosign.');
  };

  /**
   * GET /v2/<name>/referrers/<digest> (src/server/registry/referrers.go): the accessories of the artifact as
   * an OCI index, `?artifactType=` filtered on the accessory's media type (its config media type).
   */
  const referrers = async (req: Request, res: Response, repository: string, rest: string) => {
    const reference = decodeURIComponent(rest.slice(1));
    if (!/^sha256:[a-f0-9]{64}$/.test(reference))
      return reject(res, 400, 'BAD_REQUEST', `the reference ${reference} is not a digest`);
    const project = state.findProject(repository.split('/')[0], true)!;
    const all = await ctx.catalog.everyArtifact(project, repository);
    const subject = all.find((a) => a.digest === reference);
    const filter = typeof req.query.artifactType === 'string' ? req.query.artifactType : '';
    const accessories = subject?.accessories ?? [];
    const manifests = accessories
      .map((acc) => all.find((a) => a.digest === acc.digest)!)
      .filter((a) => !filter || a.media_type === filter)
      .map((a) => ({
        mediaType: a.manifest_media_type,
        size: a.size,
        digest: a.digest,
        annotations: a.annotations,
        artifactType: a.media_type,
      }));
    res.setHeader('Content-Type', 'application/vnd.oci.image.index.v1+json');
    res.setHeader('X-Total-Count', String(accessories.length));
    if (filter) res.setHeader('OCI-Filters-Applied', 'artifactType');
    // end(), not send(): Express would add `; charset=utf-8` to Harbor's content type.
    res
      .status(200)
      .end(
        JSON.stringify(
          subject ? { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests } : {},
        ) + '\n',
      );
  };

  const manifestChecks = (req: Request, res: Response, next: NextFunction) => {
    const m = req.path.match(ROUTE);
    if (m && m[2] === 'manifests' && m[3]) {
      const repository = m[1];
      const reference = decodeURIComponent(m[3].slice(1));
      const project = state.findProject(repository.split('/')[0], true)!;
      if (!reference.startsWith('sha256:')) {
        if ((req.method === 'GET' || req.method === 'HEAD') && state.deletedTags.has(`${repository}:${reference}`)) {
          // Deleted through the API: Harbor no longer knows the tag even though the registry link remains.
          return ctx.catalog
            .tagDigests(repository)
            .then((tags) =>
              tags.has(reference) ? next() : reject(res, 404, 'MANIFEST_UNKNOWN', `manifest unknown: ${reference}`),
            );
        }
        if (req.method === 'PUT' && isImmutable(state, project.project_id, repository, reference)) {
          // Only an existing tag is protected: the first push of a new tag is allowed (pushmf.go).
          return ctx.catalog
            .tagDigests(repository)
            .then((tags) =>
              tags.has(reference)
                ? reject(
                    res,
                    412,
                    'PRECONDITION',
                    `Failed to process request due to '${repository}:${reference}' configured as immutable.`,
                  )
                : next(),
            )
            .catch(next);
        }
      }
    }
    next();
  };

  const registryOrigin = new URL(ctx.registry.baseUrl).origin;
  const proxy = createProxyMiddleware<IncomingMessage, ServerResponse>({
    target: ctx.registry.baseUrl,
    // Without an agent, http-proxy asks the registry for `Connection: close` and passes that on; Harbor
    // keeps client connections open.
    agent: new HttpAgent({ keepAlive: true }),
    changeOrigin: false,
    pathFilter: (path) => path.startsWith('/v2'),
    on: {
      proxyReq: (proxyReq) => {
        // The registry itself has no auth; the stand-in already decided.
        proxyReq.removeHeader('authorization');
        proxyReq.removeHeader('cookie');
      },
      proxyRes: (proxyRes, req) => {
        const location = proxyRes.headers.location;
        if (location && location.startsWith(registryOrigin))
          proxyRes.headers.location = ctx.externalUrl() + location.slice(registryOrigin.length);
        const r = req as unknown as Request & { principal?: Principal };
        if (r.method === 'PUT' && proxyRes.statusCode === 201)
          onManifestPushed(r, proxyRes.headers['docker-content-digest']);
      },
      error: (err, _req, res) => {
        const out = res as ServerResponse;
        if (!out.headersSent) {
          out.writeHead(502, { 'content-type': 'application/json' });
          out.end(JSON.stringify({ errors: [{ code: 'UNKNOWN', message: `registry unreachable: ${err.message}` }] }));
        }
      },
    },
  });

  const onManifestPushed = (req: Request & { principal?: Principal }, digestHeader: string | string[] | undefined) => {
    const m = (req.originalUrl.split('?')[0] ?? '').match(ROUTE);
    if (!m || m[2] !== 'manifests' || !m[3]) return;
    const repository = m[1];
    const reference = decodeURIComponent(m[3].slice(1));
    const digest = Array.isArray(digestHeader) ? digestHeader[0] : digestHeader;
    if (!digest) return;
    const project = state.findProject(repository.split('/')[0], true);
    if (!project) return;
    const time = now();
    state.rememberDigest(repository, digest, time);
    const tag = reference.startsWith('sha256:') ? undefined : reference;
    if (tag) {
      state.deletedTags.delete(`${repository}:${tag}`);
      state.pushTimes.set(`${repository}@${digest}#${tag}`, time);
    }
    const operator = req.principal ? principalName(req.principal) : 'anonymous';
    void afterPush(project, repository, digest, tag, operator).catch(() => undefined);
  };

  const afterPush = async (
    project: Project,
    repository: string,
    digest: string,
    tag: string | undefined,
    operator: string,
  ) => {
    if (!tag) return; // Harbor fires PUSH_ARTIFACT for tagged pushes; children of an index come untagged
    const host = new URL(ctx.externalUrl()).host;
    ctx.webhooks.emit(
      project,
      'PUSH_ARTIFACT',
      operator,
      repository,
      [{ digest, tag, resource_url: `${host}/${repository}:${tag}` }],
      state.pushTimes.get(`${repository}@${digest}`) ?? now(),
    );
    // Without a scanner Harbor's scan-on-push fails quietly (logged in core): no scan, no event.
    if (project.auto_scan && project.scanner) {
      const artifact = await ctx.catalog.build(project, repository, digest, [tag]);
      if (artifact?.scannable && artifact.references.length > 0) {
        const children = await ctx.catalog.scannableChildren(project, artifact);
        if (children.length) startIndexScan(ctx.scans, project, artifact, children, operator);
      } else if (artifact?.scannable) startScan(ctx.scans, project, artifact, operator);
    }
  };

  const router = express.Router();
  router.use((req, res, next) => (req.path.startsWith('/v2') ? check(req, res, next) : next()));
  router.use(proxy);
  return router;
}

/** GET /service/token: a bearer token for the requested scopes, limited to what the caller may do. */
export function tokenRouter(ctx: ApiContext) {
  const { state, auth } = ctx;
  const router = express.Router();
  router.get('/service/token', (req, res) => {
    let principal: Principal = { kind: 'anonymous' };
    const basic = basicCredentials(req);
    if (basic) {
      const found = auth.login(basic.username, basic.password);
      if (!found) {
        res.setHeader('Www-Authenticate', 'Basic realm="harbor"');
        res.status(401).json({ errors: [{ code: 'UNAUTHORIZED', message: 'invalid credentials' }] });
        return;
      }
      principal = found;
    }
    const scopes = ([] as string[])
      .concat((req.query.scope as string | string[] | undefined) ?? [])
      .flatMap((s) => s.split(' '))
      .filter(Boolean);
    const access: TokenAccess[] = [];
    for (const scope of scopes) {
      const [type, ...rest] = scope.split(':');
      const actions = rest.pop()?.split(',') ?? [];
      const name = rest.join(':');
      if (type !== 'repository') continue;
      const project = state.findProject(name.split('/')[0], true);
      const granted = project
        ? actions.filter((a) => {
            if (a === '*')
              return (
                auth.can(principal, project, 'repository', 'delete') &&
                auth.can(principal, project, 'repository', 'push')
              );
            return ['pull', 'push', 'delete'].includes(a) && auth.can(principal, project, 'repository', a);
          })
        : [];
      access.push({ type, name, actions: granted });
    }
    const { token, issuedAt } = auth.issueToken(principal.kind === 'anonymous' ? '' : principalName(principal), access);
    res.json({ token, access_token: token, expires_in: TOKEN_TTL_S, issued_at: issuedAt });
  });
  return router;
}
