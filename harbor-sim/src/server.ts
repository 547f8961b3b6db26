// startHarborSim: one origin like Harbor (/api/v2.0, /c/, /service/token, /v2/) over a real registry.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import { addImmutableRule, addLabel, addProject, addRobot, addWebhookPolicy, apiRouter, type ApiContext } from './api';
import { Auth } from './auth';
import { RegistryCatalog } from './catalog';
import { forbidden, sendError } from './errors';
import type { RoleId } from './rbac';
import { RegistryClient } from '@harbor-patching/oci-testkit/registry';
import { SyntheticCatalog, type ScaleOptions } from './scale';
import { LayerCache } from './scanner';
import { startScan, type ScanContext } from './scans';
import {
  now,
  SimState,
  type ImmutableRule,
  type Label,
  type Project,
  type Robot,
  type RobotPermission,
  type User,
  type WebhookDelivery,
  type WebhookPolicy,
} from './state';
import { tokenRouter, v2Middleware } from './v2';
import { Webhooks } from './webhooks';

export interface RobotSeed {
  name: string;
  secret: string;
  level: 'system' | 'project';
  permissions?: RobotPermission[];
}

export interface HarborSimOptions {
  port?: number;
  host?: string;
  registryUrl?: string;
  advisoriesFile?: string;
  seed?: 'demo' | 'empty';
  robots?: RobotSeed[];
  scanDelayMs?: number;
  /** Webhook delivery tuning (Harbor: 3 s timeout, 3 retries). */
  webhookTimeoutMs?: number;
  webhookRetries?: number;
  webhookRetryDelayMs?: number;
  /** The origin clients use, when it differs from http(s)://<host>:<port>. */
  externalUrl?: string;
  /**
   * Without `externalUrl`: the host name of the external URL (Harbor's ext_endpoint, also the token realm),
   * on the port the stand-in listens on, e.g. `localhost` while it listens on 127.0.0.1. copa's registry
   * library (go-containerregistry 0.21.4) refuses token realms on loopback or private IP literals.
   */
  externalHostname?: string;
  /** Serve HTTPS with this certificate and key (PEM), like a Harbor with TLS; default: plain HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /**
   * Projects (by name) that have no scanner, as in a Harbor installed without Trivy; '*' for every
   * project. They answer scans with 412 and reports with 404, and list no scan overview.
   */
  noScanner?: string[];
  /**
   * Delay before each API request (/api/, /c/, /service/) is answered, in ms: a Harbor-like cost per request
   * for benchmarks (a real Harbor answers a page of 100 artifacts with scan overviews in ~150-300 ms).
   */
  latencyMs?: number;
}

export const DEFAULT_PASSWORD = 'Harbor12345';

/** What a service robot needs to patch images in every project. */
export const SERVICE_ROBOT_ACCESS = [
  ['repository', 'pull'],
  ['repository', 'push'],
  ['repository', 'list'],
  ['repository', 'read'],
  ['artifact', 'read'],
  ['artifact', 'list'],
  ['artifact', 'create'],
  ['artifact', 'delete'],
  ['artifact-addition', 'read'],
  ['tag', 'list'],
  ['tag', 'create'],
  ['tag', 'delete'],
  ['scan', 'create'],
  ['scan', 'read'],
  ['artifact-label', 'create'],
  ['artifact-label', 'delete'],
  ['label', 'read'],
  ['label', 'list'],
  ['immutable-tag', 'list'],
  ['notification-policy', 'read'],
  ['notification-policy', 'list'],
  // Registering the service's own webhook policy in a project (README, "Install next to Harbor").
  ['notification-policy', 'create'],
  ['notification-policy', 'update'],
].map(([resource, action]) => ({ resource, action }));

/** A system robot with SERVICE_ROBOT_ACCESS in every project: the service robot, for `robots`. */
export function serviceRobot(name: string, secret: string): RobotSeed {
  return {
    name,
    secret,
    level: 'system',
    permissions: [{ kind: 'project', namespace: '*', access: SERVICE_ROBOT_ACCESS }],
  };
}

export interface HarborSim {
  url: string;
  port: number;
  state: SimState;
  close(): Promise<void>;
  /** Requests served since start (or since resetRequestCount). */
  requestCount(): number;
  resetRequestCount(): void;
  /** Counts, from now on, the requests whose path starts with `prefix` (e.g. `/api/v2.0/ping`), of `method` if given. */
  watchRequests(prefix: string, method?: string): { count(): number; stop(): void };
  /** Changes the delay before each API request is answered (see `latencyMs`). */
  setLatency(ms: number): void;
  addUser(username: string, o?: { password?: string; sysadmin?: boolean; email?: string }): User;
  addProject(
    name: string,
    o?: { public?: boolean; autoScan?: boolean; owner?: string; scanner?: boolean; contentTrustCosign?: boolean },
  ): Project;
  /** Gives a project a scanner, or takes it away (no-scanner mode, as a Harbor without Trivy). */
  setScanner(project: string, available: boolean): void;
  addMember(project: string, username: string, role: RoleId): void;
  addRobot(o: {
    name: string;
    secret?: string;
    level?: 'system' | 'project';
    project?: string;
    permissions?: RobotPermission[];
  }): Robot;
  addLabel(o: { name: string; scope?: 'g' | 'p'; project?: string; color?: string; description?: string }): Label;
  addImmutableRule(
    project: string,
    o: { tag: string; repository?: string; tagDecoration?: string; repoDecoration?: string; disabled?: boolean },
  ): ImmutableRule;
  addWebhookPolicy(
    project: string,
    o: { name?: string; address: string; authHeader?: string; events: string[] },
  ): WebhookPolicy;
  setScanDelay(ms: number): void;
  failNextScan(message?: string): void;
  /** Scans an artifact as if POST .../scan was called, and waits for the result. */
  scan(project: string, repository: string, reference: string): Promise<void>;
  webhookDeliveries(): WebhookDelivery[];
  waitForWebhooks(): Promise<void>;
  seedScale(o: ScaleOptions): { projects: Project[]; artifacts: number; ms: number };
}

export async function startHarborSim(options: HarborSimOptions = {}): Promise<HarborSim> {
  const host = options.host ?? '127.0.0.1';
  const state = new SimState();
  const registryUrl = (options.registryUrl ?? 'http://127.0.0.1:5000').replace(/\/$/, '');
  const registry = new RegistryClient(registryUrl, undefined, { cacheByDigest: true });
  const auth = new Auth(state);
  const catalog = new RegistryCatalog(state, registry);
  const synthetic = new SyntheticCatalog(state);
  const webhooks = new Webhooks(state, {
    timeoutMs: options.webhookTimeoutMs ?? 3000,
    retries: options.webhookRetries ?? 3,
    retryDelayMs: options.webhookRetryDelayMs ?? 1000,
  });
  let externalUrl = options.externalUrl ?? '';
  const scans: ScanContext = {
    state,
    registry,
    webhooks,
    advisoriesFile: options.advisoriesFile,
    scanDelayMs: options.scanDelayMs ?? 200,
    layers: new LayerCache(),
    externalHost: () => new URL(externalUrl).host,
  };
  const ctx: ApiContext = {
    state,
    auth,
    registry,
    catalog,
    synthetic,
    webhooks,
    scans,
    harborVersion: 'v2.15.2-harbor-sim',
    externalUrl: () => externalUrl,
  };
  let requests = 0;
  const watchers = new Set<{ prefix: string; method?: string; seen: number }>();
  let latencyMs = options.latencyMs ?? 0;

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req, res, next) => {
    requests++;
    for (const w of watchers) if (req.path.startsWith(w.prefix) && (!w.method || w.method === req.method)) w.seen++;
    if (req.path.startsWith('/api/')) {
      const incoming = req.headers['x-request-id'];
      res.setHeader('X-Request-Id', typeof incoming === 'string' && incoming ? incoming : randomUUID());
    }
    if (latencyMs > 0 && ['/api/', '/c/', '/service/'].some((p) => req.path.startsWith(p))) setTimeout(next, latencyMs);
    else next();
  });
  // Sessions, and CSRF exactly where Harbor applies it: always on /c/, on /api/ /service/ /v2/ only with a
  // session cookie (the request's: the one a first answer sets counts from the next request on).
  app.use((req: Request, res: Response, next) => {
    const served = ['/api/', '/c/', '/service/', '/v2/'].some((p) => req.path.startsWith(p));
    if (served) auth.startSession(req, res);
    if (!served || !auth.csrfApplies(req)) return next();
    const failure = auth.csrf(req, res);
    if (failure) return sendError(res, forbidden(failure));
    next();
  });
  app.use(v2Middleware(ctx));
  app.use(tokenRouter(ctx));
  app.post('/c/login', express.urlencoded({ extended: false }), (req, res) => {
    const { principal, password } = (req.body ?? {}) as { principal?: string; password?: string };
    const found = principal && password ? auth.login(principal, password) : undefined;
    if (!found || found.kind !== 'user') {
      res.status(401).end();
      return;
    }
    auth.createSession(res, found.user);
    res.status(200).end();
  });
  app.get('/c/log_out', (req, res) => {
    auth.destroySession(req, res);
    res.status(200).end();
  });
  app.use('/api/v2.0', apiRouter(ctx));

  const server: Server = options.tls
    ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, app)
    : createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `${options.tls ? 'https' : 'http'}://${host}:${port}`;
  if (!externalUrl) {
    externalUrl = options.externalHostname
      ? `${options.tls ? 'https' : 'http'}://${options.externalHostname}:${port}`
      : url;
  }

  const projectNamed = (name: string) => {
    const project = state.findProject(name, true);
    if (!project) throw new Error(`project ${name} does not exist in the stand-in; add it first`);
    return project;
  };

  const sim: HarborSim = {
    url,
    port,
    state,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    requestCount: () => requests,
    resetRequestCount: () => {
      requests = 0;
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    watchRequests(prefix, method) {
      const watcher = { prefix, method, seen: 0 };
      watchers.add(watcher);
      return { count: () => watcher.seen, stop: () => watchers.delete(watcher) };
    },
    addUser(username, o = {}) {
      const existing = state.findUser(username);
      if (existing) return existing;
      const user: User = {
        user_id: state.nextId('user'),
        username,
        password: o.password ?? DEFAULT_PASSWORD,
        email: o.email ?? `${username}@example.com`,
        realname: username,
        comment: '',
        sysadmin: o.sysadmin ?? false,
        creation_time: now(),
        update_time: now(),
      };
      state.users.push(user);
      return user;
    },
    addProject(name, o = {}) {
      const existing = state.findProject(name, true);
      if (existing) return existing;
      const owner = o.owner ? state.findUser(o.owner) : state.users[0];
      return addProject(state, {
        name,
        public: o.public,
        auto_scan: o.autoScan,
        owner_id: owner?.user_id ?? 1,
        scanner: o.scanner,
        content_trust_cosign: o.contentTrustCosign,
      });
    },
    setScanner(projectName, available) {
      projectNamed(projectName).scanner = available;
    },
    addMember(projectName, username, role) {
      const project = projectNamed(projectName);
      const user = state.findUser(username) ?? sim.addUser(username);
      state.members = state.members.filter((m) => !(m.project_id === project.project_id && m.user_id === user.user_id));
      state.members.push({
        id: state.nextId('member'),
        project_id: project.project_id,
        user_id: user.user_id,
        role_id: role,
      });
    },
    addRobot(o) {
      const level = o.level ?? (o.project ? 'project' : 'system');
      const bare = o.name.replace(/^robot\$/, '');
      const name =
        level === 'project' && o.project && !bare.includes('+') ? `robot$${o.project}+${bare}` : `robot$${bare}`;
      const permissions = o.permissions ?? [
        { kind: 'project', namespace: level === 'project' ? (o.project ?? '*') : '*', access: SERVICE_ROBOT_ACCESS },
      ];
      return addRobot(state, { name, secret: o.secret, level, permissions });
    },
    addLabel(o) {
      const project = o.project ? projectNamed(o.project) : undefined;
      return addLabel(state, { ...o, scope: o.scope ?? (project ? 'p' : 'g'), project_id: project?.project_id });
    },
    addImmutableRule(projectName, o) {
      return addImmutableRule(state, projectNamed(projectName).project_id, {
        disabled: o.disabled ?? false,
        tag_selectors: [{ kind: 'doublestar', decoration: o.tagDecoration ?? 'matches', pattern: o.tag }],
        scope_selectors: {
          repository: [
            { kind: 'doublestar', decoration: o.repoDecoration ?? 'repoMatches', pattern: o.repository ?? '**' },
          ],
        },
      });
    },
    addWebhookPolicy(projectName, o) {
      return addWebhookPolicy(state, projectNamed(projectName).project_id, {
        name: o.name ?? `hook-${state.webhookPolicies.length + 1}`,
        targets: [
          {
            type: 'http',
            address: o.address,
            auth_header: o.authHeader ?? '',
            skip_cert_verify: false,
            payload_format: 'Default',
          },
        ],
        event_types: o.events,
      });
    },
    setScanDelay(ms) {
      scans.scanDelayMs = ms;
    },
    failNextScan(message = 'scanner failed: simulated failure') {
      scans.failNext = message;
    },
    async scan(projectName, repository, reference) {
      const project = projectNamed(projectName);
      if (!project.scanner) throw new Error(`project ${projectName} has no scanner (no-scanner mode)`);
      const full = repository.startsWith(`${projectName}/`) ? repository : `${projectName}/${repository}`;
      const artifact = await catalog.artifact(project, full, reference);
      if (!artifact) throw new Error(`artifact ${full}:${reference} is not in the registry`);
      const record = startScan(scans, project, artifact, 'admin');
      while (record.status === 'Pending' || record.status === 'Running') await new Promise((r) => setTimeout(r, 20));
      if (record.status !== 'Success') throw new Error(`scan of ${full}:${reference} failed: ${record.log.join('; ')}`);
    },
    webhookDeliveries: () => [...state.webhookDeliveries],
    waitForWebhooks: () => webhooks.idle(),
    seedScale(o) {
      const started = performance.now();
      const count = o.projects ?? 1;
      const projects: Project[] = [];
      let artifacts = 0;
      for (let i = 0; i < count; i++) {
        const name = `${o.projectPrefix ?? 'scale'}-${i}`;
        const project = addProject(state, { name, public: o.public ?? false, synthetic: true, owner_id: 1 });
        const labelIds = Array.from(
          { length: o.labels ?? 3 },
          (_, k) => addLabel(state, { name: `tier-${k}`, scope: 'p', project_id: project.project_id }).id,
        );
        synthetic.seedProject(project, o.repositories ?? 1000, o.artifactsPerRepository ?? 100, labelIds);
        artifacts += (o.repositories ?? 1000) * (o.artifactsPerRepository ?? 100);
        projects.push(project);
      }
      return { projects, artifacts, ms: performance.now() - started };
    },
  };

  for (const name of options.noScanner ?? []) state.projectsWithoutScanner.add(name);
  sim.addUser('admin', { sysadmin: true });
  for (const robot of options.robots ?? [])
    sim.addRobot({ name: robot.name, secret: robot.secret, level: robot.level, permissions: robot.permissions });
  if (options.seed === 'demo') await seedDemo(sim, registry);
  return sim;
}

async function seedDemo(sim: HarborSim, registry: RegistryClient): Promise<void> {
  sim.addProject('library', { public: false, autoScan: true, owner: 'admin' });
  const roles: Array<[string, RoleId]> = [
    ['alice', 1],
    ['dave', 2],
    ['gina', 3],
    ['mona', 4],
    ['lena', 5],
  ];
  for (const [username, role] of roles) {
    sim.addUser(username);
    sim.addMember('library', username, role);
  }
  const library = sim.state.findProject('library', true);
  if (library?.scanner && (await registry.resolve('library/sample-app', '1.0').catch(() => undefined))) {
    await sim.scan('library', 'sample-app', '1.0').catch((err: Error) => {
      process.stderr.write(`harbor-sim: scanning library/sample-app:1.0 failed: ${err.message}\n`);
    });
  }
}
