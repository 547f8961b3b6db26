/**
 * Builds the service's objects, each once, by constructor injection: stores over the open database,
 * Harbor and registry clients, the patch engine, policy runs, schedules, webhook events, the jobservice
 * API service and the controllers. `app.ts` puts HTTP in front of them and starts and stops them.
 * Patching needs the service robot: without PATCHING_ROBOT_NAME/SECRET, `patching` is undefined and only
 * policies, health and the portal are served.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { AccessResolver } from './auth/access';
import { buildkitEndpoints, type Config } from './config/config';
import type { Outbound } from './config/outbound';
import { ExecutionController } from './controller/executions';
import { InsightsController } from './controller/insights';
import { PatchController } from './controller/patch';
import { PolicyController, type SigningCapabilities } from './controller/policies';
import { PreviewController } from './controller/preview';
import { RunController } from './controller/runs';
import { WebhookController } from './controller/webhooks';
import { HarborClient, type HarborAuth } from './harbor/client';
import { ServiceRobot } from './harbor/robot';
import { builtInHealthChecks, type HealthCheck } from './health/checks';
import { BuildkitPool } from './jobs/buildkit-pool';
import { DEFAULT_ENGINE_CONFIG, PatchEngine } from './jobs/engine';
import { Scrubber, TaskLogs } from './jobs/logs';
import { ProjectScans } from './insights/backlog';
import { JobService } from './jobservice/service';
import { PolicyRunner } from './policies/run';
import type { SigningSettings } from './patch/cosign';
import { RegistryClient } from './registry/client';
import { PolicyScheduler } from './scheduler/scheduler';
import type { StoreDatabase } from './store/db';
import { SqlExecutionStore, type ExecutionStore } from './store/executions';
import { SqlInsightsStore } from './store/insights';
import { SqlJobStore } from './store/jobs';
import { SqlPolicyStore, type PolicyStore } from './store/policies';
import { SqlPolicyRunStore } from './store/policy-runs';
import { SqlTaskQueue } from './store/queue';
import { SqlScheduleStore } from './store/schedules';
import { SqlTaskLogStore } from './store/task-logs';
import type { Sql } from './store/schema';
import { SqlWebhookEventStore } from './store/webhook-events';
import { WebhookProcessor } from './webhooks/processor';
import { ScanEvents } from './webhooks/scan-events';

/** How long a project's scan overviews are kept before the insights backlog reads Harbor again. */
export const BACKLOG_CACHE_SECONDS = 300;

export const NOT_CONFIGURED =
  'patching is off: set PATCHING_ROBOT_NAME and PATCHING_ROBOT_SECRET (a Harbor robot account)';

/** The patch engine's settings (from the configuration; tests may tune retry timing and the like). */
export interface PatchSettings {
  harborUrl: string;
  /** host[:port] in image references copa pulls and pushes; defaults to the Harbor URL's host. */
  registryHost?: string;
  /** The registry speaks plain HTTP (default: when the Harbor URL is http://). Used with registryHost. */
  registryInsecure?: boolean;
  /** The fetch for Harbor and the registry (config/outbound.ts); default: Node's. */
  fetch?: typeof fetch;
  robotName: string;
  robotSecret: string;
  dataDir: string;
  /** PATCHING_BUILDKIT_ADDR's form: comma-separated addresses, each optionally `=SLOTS`. */
  buildkitAddr: string;
  /** The buildkitd pool built from buildkitAddr (the service shares one with its health checks); default: built here. */
  buildkit?: BuildkitPool;
  copaPath: string;
  /** copa's --eol-api-url (comprehensive mode); unset: copa's default. */
  copaEolApiUrl?: string;
  /** copa slots of an address without `=SLOTS` (default 2). */
  concurrency?: number;
  /** Tasks in progress at once (default 3 x all copa slots). */
  taskConcurrency?: number;
  taskTimeoutSeconds?: number;
  scanTimeoutSeconds?: number;
  maxAttempts?: number;
  retryBaseMs?: number;
  harborTimeoutMs?: number;
  /** How long what Harbor says about the robot's access is kept (default 10 s). */
  robotCacheSeconds?: number;
  /** The first poll interval of a running Harbor scan, doubling up to 2 s (default 500 ms). */
  scanPollMs?: number;
  /** PATCHING_WEBHOOK_SECRET: with it, scan waits end on Harbor's scan events where the webhook is registered. */
  webhookSecret?: string;
  /** cosign signing and trust before patching (patch/cosign.ts); unset: neither. */
  signing?: SigningSettings;
  /** Other secrets that must never reach a task log (webhook, jobservice secrets). */
  extraSecrets?: (string | undefined)[];
  /** PATCHING_REPLICA_ID: this process's name among the replicas sharing the database (default: the host name). */
  replicaId?: string;
  /** PATCHING_LEASE_SECONDS: how long a task's claim lasts without a heartbeat (default 30). */
  leaseSeconds?: number;
  /** Told when task log lines could not be written to the database. */
  onLogError?: (err: unknown) => void;
}

/** What tests may change about the patch engine beyond the configuration. */
export type PatchTuning = Partial<PatchSettings>;

/** Harbor's /v2/ as the registry client reaches it: the registry host and scheme when set, else Harbor's origin. */
export function registryUrl(s: Pick<PatchSettings, 'harborUrl' | 'registryHost' | 'registryInsecure'>): string {
  if (!s.registryHost) return s.harborUrl;
  const insecure = s.registryInsecure ?? s.harborUrl.startsWith('http:');
  return `${insecure ? 'http' : 'https'}://${s.registryHost}`;
}

export interface PatchEngineParts {
  engine: PatchEngine;
  store: ExecutionStore;
  /** Harbor as the service robot. */
  harbor: HarborClient;
  registry: RegistryClient;
  /** The service robot: its credentials and its access to projects, as Harbor sees them. */
  robot: ServiceRobot;
  /** Harbor's scan events, waking the tasks that wait for a scan. */
  scanEvents: ScanEvents;
  /** The buildkitd endpoints and their copa slots. */
  buildkit: BuildkitPool;
}

/** The buildkitd pool of PATCHING_BUILDKIT_ADDR (an address without `=SLOTS` gets `concurrency` slots). */
export function createBuildkitPool(
  s: { buildkitAddr: string; concurrency?: number; buildkitCheckSeconds?: number },
  logger?: Logger,
): BuildkitPool {
  return new BuildkitPool(buildkitEndpoints(s.buildkitAddr, s.concurrency ?? 2), {
    checkIntervalMs: (s.buildkitCheckSeconds ?? 10) * 1000,
    onStateChange: (e, previous) => {
      if (e.state === 'unhealthy')
        logger?.warn({ endpoint: e.index, addr: e.addr, error: e.error }, 'buildkitd endpoint taken out');
      else if (previous === 'unhealthy')
        logger?.info({ endpoint: e.index, addr: e.addr }, 'buildkitd endpoint answers again');
    },
  });
}

/**
 * The patch engine over a migrated database: its stores, the robot's Harbor and registry clients (`harbor`
 * when given, else one built from the settings), task logs.
 */
export function createPatchEngine(q: Sql, s: PatchSettings, harbor?: HarborClient): PatchEngineParts {
  const store = new SqlExecutionStore(q);
  const robot = { username: s.robotName, password: s.robotSecret };
  const robotHarbor =
    harbor ?? new HarborClient(s.harborUrl, { kind: 'basic', ...robot }, s.harborTimeoutMs ?? 15_000, s.fetch);
  const registry = new RegistryClient(registryUrl(s), robot, undefined, s.fetch);
  const serviceRobot = new ServiceRobot(robotHarbor, s.robotName, s.robotCacheSeconds ?? 10);
  const scanEvents = new ScanEvents(robotHarbor, s.webhookSecret);
  const taskTimeoutSeconds = s.taskTimeoutSeconds ?? DEFAULT_ENGINE_CONFIG.taskTimeoutMs / 1000;
  const buildkit = s.buildkit ?? createBuildkitPool(s);
  const logs = new TaskLogs(
    join(s.dataDir, 'task-logs'),
    Scrubber.forCredentials(s.robotName, s.robotSecret, [...(s.extraSecrets ?? []), s.signing?.key?.password]),
    new SqlTaskLogStore(q),
    s.onLogError,
  );
  const engine = new PatchEngine(
    store,
    new SqlTaskQueue(q),
    {
      harbor: robotHarbor,
      registry,
      registryHost: s.registryHost,
      robot,
      copaPath: s.copaPath,
      copaEolApiUrl: s.copaEolApiUrl,
      buildkit,
      // copa's own timeout fires a little before ours, so its error message reaches the log.
      copaTimeoutSeconds: Math.max(10, taskTimeoutSeconds - 30),
      scanTimeoutMs: (s.scanTimeoutSeconds ?? 600) * 1000,
      scanPollMs: s.scanPollMs ?? 500,
      scanEvents,
      signing: s.signing,
    },
    {
      // Enough tasks in progress to keep every copa slot busy while others wait for Harbor's scans.
      taskConcurrency: s.taskConcurrency ?? 3 * buildkit.totalSlots,
      taskTimeoutMs: taskTimeoutSeconds * 1000,
      maxAttempts: s.maxAttempts ?? DEFAULT_ENGINE_CONFIG.maxAttempts,
      retryBaseMs: s.retryBaseMs ?? DEFAULT_ENGINE_CONFIG.retryBaseMs,
      dataDir: s.dataDir,
      replicaId: s.replicaId ?? hostname(),
      leaseMs: s.leaseSeconds !== undefined ? s.leaseSeconds * 1000 : DEFAULT_ENGINE_CONFIG.leaseMs,
      soleReplica: q.engine === 'sqlite',
    },
    logs,
    serviceRobot,
  );
  return { engine, store, harbor: robotHarbor, registry, robot: serviceRobot, buildkit, scanEvents };
}

/** The scheduler over the policy store and the runner (exported so tests can drive it with their own clock). */
export function createPolicyScheduler(
  q: Sql,
  policies: Pick<PolicyStore, 'listAll' | 'getById'>,
  runner: PolicyRunner,
  opts: { now?: () => Date; intervalMs?: number; onError?: (err: unknown) => void; owner?: string } = {},
): PolicyScheduler {
  return new PolicyScheduler({
    store: new SqlScheduleStore(q),
    now: opts.now,
    owner: opts.owner,
    intervalMs: opts.intervalMs,
    // Polled at each tick: a disabled, deleted or re-scheduled policy is noticed without hooks.
    listScheduledPolicies: () => policies.listAll({ triggerType: 'scheduled' }),
    hasActiveRun: async (policyId) => {
      const p = await policies.getById(policyId);
      return p ? (await runner.activeRun(p)) !== undefined : false;
    },
    startRun: async (policyId) => {
      const p = await policies.getById(policyId);
      if (!p) throw new Error(`policy ${policyId} no longer exists`);
      return runner.start(p, 'SCHEDULE');
    },
    onError: opts.onError,
  });
}

/** Everything that exists only when the service robot is configured. */
export interface Patching {
  engine: PatchEngine;
  /** Harbor as the service robot. */
  harbor: HarborClient;
  registry: RegistryClient;
  robot: ServiceRobot;
  jobservice: JobService;
  runner: PolicyRunner;
  scheduler: PolicyScheduler;
  webhooks: WebhookProcessor;
  scanEvents: ScanEvents;
  controllers: {
    patch: PatchController;
    executions: ExecutionController;
    runs: RunController;
    preview: PreviewController;
    webhooks: WebhookController;
  };
}

export interface Services {
  /** Harbor as the service robot (anonymous when no robot is configured). */
  harbor: HarborClient;
  /** Who may do what in Harbor, for the HTTP middleware. */
  access: AccessResolver;
  policyStore: PolicyStore;
  policies: PolicyController;
  insights: InsightsController;
  patching?: Patching;
  /** The dependency checks shown by GET /patching/api/v1/health, in order. */
  healthChecks: HealthCheck[];
  /** Recovers interrupted work and starts the background loops (before the server accepts requests). */
  start(): Promise<void>;
  /** Stops them, the reverse way (after the server stopped accepting requests). Never throws. */
  stop(): Promise<void>;
}

export interface ServiceDeps {
  config: Config;
  /** Migrated (store/migrations.ts). */
  database: StoreDatabase;
  logger: Logger;
  outbound: Outbound;
  tuning?: PatchTuning;
  /** Where the services' own Prometheus metrics go (the buildkitd pool's). */
  metrics?: Registry;
}

function serviceAuth(config: Config): HarborAuth {
  return config.robotName && config.robotSecret
    ? { kind: 'basic', username: config.robotName, password: config.robotSecret }
    : { kind: 'anonymous' };
}

function createPatching(
  deps: ServiceDeps,
  q: Sql,
  harbor: HarborClient,
  policyStore: PolicyStore,
  buildkit: BuildkitPool,
): Patching | undefined {
  const { config: c, logger } = deps;
  if (!c.robotName || !c.robotSecret) {
    logger.warn(NOT_CONFIGURED);
    return undefined;
  }
  const { engine, registry, robot, scanEvents } = createPatchEngine(
    q,
    {
      harborUrl: c.harborUrl,
      registryHost: c.registryHost,
      registryInsecure: c.registryInsecure,
      fetch: deps.outbound.fetch,
      robotName: c.robotName,
      robotSecret: c.robotSecret,
      dataDir: c.dataDir,
      buildkitAddr: c.buildkitAddr,
      buildkit,
      copaPath: c.copaPath,
      copaEolApiUrl: c.copaEolApiUrl,
      concurrency: c.concurrency,
      taskConcurrency: c.taskConcurrency,
      taskTimeoutSeconds: c.taskTimeoutSeconds,
      scanTimeoutSeconds: c.scanTimeoutSeconds,
      harborTimeoutMs: c.harborTimeoutMs,
      robotCacheSeconds: c.authCacheSeconds,
      extraSecrets: [c.webhookSecret, c.jobserviceSecret],
      webhookSecret: c.webhookSecret,
      signing: signingSettings(c),
      replicaId: c.replicaId,
      leaseSeconds: c.leaseSeconds,
      onLogError: (err) => logger.error({ err }, 'task log lines could not be written to the database'),
      ...deps.tuning,
    },
    harbor,
  );
  // The queue, a heartbeat or the lease watcher could not reach the database: the next round tries again.
  engine.on('error', (err) => logger.error({ err }, 'patch engine: a database call failed'));
  engine.on('task', (t) => {
    if (!['Pending', 'Running'].includes(t.status)) {
      logger.info({ task: t.id, execution: t.execution_id, status: t.status, reason: t.reason }, 'patch task finished');
    }
  });
  const patch = new PatchController(engine, harbor, robot, signingCapabilities(c));
  const jobservice = new JobService(new SqlJobStore(q), engine, (project, repository, reference) =>
    patch.resolveDigest(project, repository, reference),
  );

  const report = (context: string) => (err: unknown) => logger.error({ err, context }, 'policy runs error');
  const runner = new PolicyRunner({
    runs: new SqlPolicyRunStore(q),
    harbor,
    engine,
    robot,
    onError: report('policy run'),
  });
  const scheduler = createPolicyScheduler(q, policyStore, runner, {
    onError: report('scheduler'),
    owner: c.replicaId,
  });
  const webhooks = new WebhookProcessor({
    store: new SqlWebhookEventStore(q),
    owner: c.replicaId,
    harbor,
    engine,
    runner,
    eventPolicies: (project) =>
      policyStore.listAll({ enabled: true, triggerType: 'event_based', projectName: project }),
    onError: report('webhook event'),
    onDropped: (event, reason, eventId) =>
      logger.warn(
        {
          event_id: eventId,
          type: event.type,
          project: event.project,
          repository: event.repository,
          digest: event.digest,
          tag: event.tag ?? null,
          reason,
        },
        'dropped a webhook event: Harbor does not confirm it',
      ),
  });
  return {
    engine,
    harbor,
    registry,
    robot,
    jobservice,
    runner,
    scheduler,
    webhooks,
    scanEvents,
    controllers: {
      patch,
      executions: new ExecutionController(engine),
      runs: new RunController(policyStore, runner, scheduler),
      preview: new PreviewController(policyStore, harbor, robot),
      webhooks: new WebhookController({
        secret: c.webhookSecret,
        processor: webhooks,
        harbor,
        robot,
        logger,
        scanEvents,
      }),
    },
  };
}

export function buildServices(deps: ServiceDeps): Services {
  const { config, logger, outbound } = deps;
  const harbor = new HarborClient(config.harborUrl, serviceAuth(config), config.harborTimeoutMs, outbound.fetch);
  const q = deps.database.sql;
  const policyStore = new SqlPolicyStore(q);
  const buildkit = createBuildkitPool(config, logger);
  if (deps.metrics) buildkit.registerMetrics(deps.metrics);
  const patching = createPatching(deps, q, harbor, policyStore, buildkit);
  const executions = new SqlExecutionStore(q);

  const robotCheck: HealthCheck = {
    name: 'robot',
    check: async () => {
      if (!patching) return { ok: false, error: NOT_CONFIGURED };
      const r = await patching.robot.checkCredentials();
      return r.ok
        ? { ok: true, detail: patching.robot.name }
        : { ok: false, detail: patching.robot.name, error: r.message };
    },
  };

  /** Each part that started, to stop in reverse order. */
  const started: { name: string; stop: () => Promise<void> }[] = [];

  return {
    harbor,
    access: new AccessResolver(harbor, config.authCacheSeconds),
    policyStore,
    policies: new PolicyController(policyStore, harbor, signingCapabilities(config)),
    insights: new InsightsController({
      store: new SqlInsightsStore(q),
      policies: policyStore,
      scans: new ProjectScans(BACKLOG_CACHE_SECONDS),
      slots: buildkit.totalSlots,
      execution: (id) => executions.getExecution(id),
    }),
    patching,
    healthChecks: [...builtInHealthChecks(config, deps.database, outbound.fetch, buildkit), robotCheck],
    async start() {
      if (!patching) return;
      const { engine, robot, runner, scheduler, webhooks } = patching;
      // Checked in the background, so an unreachable Harbor does not hold up the start. A rejected robot
      // does not stop the service either: policies, history and the portal keep working, health says
      // unhealthy, every patch is refused saying why, and fixing the robot in Harbor needs no restart.
      void robot.checkCredentials().then((r) => {
        if (r.ok) logger.info({ robot: robot.name }, 'Harbor accepts the service robot');
        else if (r.problem === 'rejected') logger.error({ robot: robot.name }, r.message);
        else logger.warn({ robot: robot.name }, `the service robot could not be checked: ${r.message}`);
      });
      buildkit.start();
      await engine.start();
      started.push({
        name: 'patch',
        stop: async () => {
          await engine.close();
          buildkit.stop();
        },
      });
      await runner.recover();
      scheduler.start();
      webhooks.start();
      started.push({
        name: 'policy-runs',
        stop: async () => {
          await scheduler.stop();
          await webhooks.stop();
          await runner.idle();
        },
      });
    },
    async stop() {
      for (const part of started.splice(0).reverse()) {
        try {
          await part.stop();
        } catch (err) {
          logger.error({ err, module: part.name }, 'module failed to stop cleanly');
        }
      }
    },
  };
}

/** The signing settings of the configuration; undefined when neither signing nor trust is configured. */
export function signingSettings(c: Config): SigningSettings | undefined {
  if (!c.signingKeyFile && !c.trustPublicKeyFile) return undefined;
  return {
    cosignPath: c.cosignPath,
    key: c.signingKeyFile ? { file: c.signingKeyFile, password: c.signingPassword ?? '' } : undefined,
    signByDefault: c.signByDefault,
    trustedKeyFile: c.trustPublicKeyFile,
    insecure: c.registryInsecure,
  };
}

export function signingCapabilities(c: Config): SigningCapabilities {
  return { sign: Boolean(c.signingKeyFile), verify: Boolean(c.trustPublicKeyFile) };
}
