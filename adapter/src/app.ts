/**
 * The composition root: the adapter's HTTP application and its lifecycle.
 *   createApp(deps)        migrates the open database (once, store/migrations.ts), builds every object
 *                          (wiring.ts) and the Express app in front of them
 *   startAdapter(config)   opens the store, builds the app, starts the services, listens; returns
 *                          { url, close(), db, config, services, ... } (tests start it on port 0)
 * Request order: request id + metrics -> Harbor proxy (raw bodies, Harbor's encoding) -> compression ->
 * health, metrics, openapi.json ->
 * API (405 for undocumented methods, JSON body limit, CSRF guard, OpenAPI validation, routers) ->
 * jobservice API and webhook receiver -> portal -> errors.
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import express, { type Express, type Router } from 'express';
import type { Logger } from 'pino';
import { loadOpenApiDocument } from '@harbor-patching/shared/api/document';
import { describeConfig, ENV_PREFIX, loadConfig, type Config } from './config/config';
import { outbound as outboundHttp } from './config/outbound';
import { API_BASE } from './http/api';
import { createAuthMiddleware } from './http/auth';
import { compressResponses } from './http/compression';
import { csrfGuard } from './http/csrf';
import { apiNotFound, errorHandler, sendError } from './http/errors';
import { executionsRouter } from './http/executions';
import { healthRouter } from './http/health';
import { insightsRouter } from './http/insights';
import { jobserviceRouter } from './http/jobservice';
import { createLogger, createMetrics, requestContext } from './http/observability';
import { methodNotAllowed, openApiValidator } from './http/openapi';
import { patchRouter } from './http/patch';
import { policiesRouter } from './http/policies';
import { portalRouter } from './http/portal';
import { previewRouter } from './http/preview';
import { harborProxy } from './http/proxy';
import { runsRouter } from './http/runs';
import { webhookAdminRouter, webhookReceiverRouter } from './http/webhooks';
import { closeStoreDatabase, migrateStore, openStoreDatabase, type Db, type StoreDatabase } from './store/db';
import { MIGRATIONS } from './store/migrations';
import { buildServices, type PatchTuning, type Services } from './wiring';

export const VERSION = '0.1.0';
export const DATABASE_FILE = 'patching.db';

export interface AppDeps {
  config: Config;
  database: StoreDatabase;
  logger?: Logger;
  /** Patch engine settings beyond the configuration (tests: retry timing and the like). */
  tuning?: PatchTuning;
}

export interface App {
  app: Express;
  services: Services;
}

/** Applies every schema step not yet applied; refuses a database a newer release migrated. */
async function migrateDatabase(database: StoreDatabase, logger: Logger): Promise<void> {
  const applied = await migrateStore(database, MIGRATIONS);
  if (applied.length > 0) logger.info({ migrations: applied, database: database.label }, 'database migrated');
}

export async function createApp(deps: AppDeps): Promise<App> {
  const { config, database } = deps;
  const logger = deps.logger ?? createLogger(config.logLevel);
  await migrateDatabase(database, logger);

  const outbound = await outboundHttp(config.caFile);
  const metrics = createMetrics();
  const services = buildServices({
    config,
    database,
    logger,
    outbound,
    tuning: deps.tuning,
    metrics: metrics.registry,
  });
  const { patching } = services;
  const auth = createAuthMiddleware(services.access);

  const app = express();
  app.disable('x-powered-by');
  // No ETag on API answers (as Harbor's API): hashing every JSON body cost more than the rare 304 saved.
  // The portal's files have their own validators (http/portal.ts).
  app.set('etag', false);
  app.set('trust proxy', config.trustProxy);
  app.use(requestContext(logger));
  app.use(metrics.middleware);
  app.use(harborProxy(config.harborUrl, logger, outbound.httpsAgent));
  app.use(compressResponses());

  const document = loadOpenApiDocument();
  app.use(
    API_BASE,
    healthRouter({
      resolver: services.access,
      cacheSeconds: config.healthCacheSeconds,
      version: VERSION,
      checks: services.healthChecks,
    }),
  );
  app.get(`${API_BASE}/openapi.json`, (_req, res) => {
    res.json(document);
  });
  app.get('/patching/metrics', async (_req, res) => {
    res.set('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.use(API_BASE, methodNotAllowed(document));
  app.use(
    express.json({ limit: config.maxBodyBytes, strict: false, type: ['application/json', 'application/*+json'] }),
  );
  app.use(API_BASE, (req, res, next) => {
    // A body must be JSON: refuse other content types instead of silently reading nothing.
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody && !req.is(['application/json', 'application/*+json'])) {
      return sendError(res, 415, [{ code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send the body as application/json' }]);
    }
    next();
  });
  app.use(API_BASE, csrfGuard(config.externalUrl));
  app.use(openApiValidator(document, { validateResponses: config.validateResponses }));

  const mounts: [string, Router][] = [
    [API_BASE, policiesRouter(services.policies, auth)],
    [API_BASE, insightsRouter(services.insights, auth, services.harbor)],
  ];
  if (patching) {
    const c = patching.controllers;
    mounts.push(
      [API_BASE, executionsRouter(c.executions, auth)],
      [API_BASE, patchRouter(c.patch, auth)],
      ['/', jobserviceRouter(patching.jobservice, config.jobserviceSecret)],
      [API_BASE, previewRouter(c.preview, auth)],
      [API_BASE, runsRouter(c.runs, auth)],
      [API_BASE, webhookAdminRouter(c.webhooks, auth, config.externalUrl)],
      ['/', webhookReceiverRouter(c.webhooks)],
    );
  }
  for (const [path, router] of mounts) {
    app.use(
      path,
      (_req, res, next) => {
        res.locals.mountPath = path;
        next();
      },
      router,
    );
  }
  app.use(API_BASE, apiNotFound());
  app.use(portalRouter(config.portalDir));
  app.get('/', (_req, res) => res.redirect(302, '/patching/'));
  app.use(errorHandler(logger));
  return { app, services };
}

export interface RunningAdapter {
  url: string;
  port: number;
  config: Config;
  /** The SQLite file's connection; on PostgreSQL reading it throws (use `database`). */
  db: Db;
  database: StoreDatabase;
  services: Services;
  app: Express;
  server: Server;
  logger: Logger;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Use this configuration as it is (main.ts passes the one it loaded from the environment). */
  config?: Config;
  logger?: Logger;
  /** Patch engine settings beyond the configuration (tests: retry timing and the like). */
  tuning?: PatchTuning;
}

/** The process environment without PATCHING_* settings: defaults may look at PATH and HP_CACHE, not at settings. */
function environmentWithoutSettings(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith(ENV_PREFIX)));
}

/**
 * Starts the whole adapter. `overrides` are applied over the defaults (not over PATCHING_* variables:
 * an in-process start is configured only by what it is given). Port 0 picks a free port.
 */
export async function startAdapter(
  overrides: Partial<Config> = {},
  options: StartOptions = {},
): Promise<RunningAdapter> {
  const config = options.config ?? loadConfig(environmentWithoutSettings(), overrides);
  const logger = options.logger ?? createLogger(config.logLevel);
  const database = openStoreDatabase({
    file: join(config.dataDir, DATABASE_FILE),
    url: config.databaseUrl,
    poolSize: config.databasePoolSize,
    statementTimeoutSeconds: config.databaseStatementTimeoutSeconds,
    ssl: config.databaseSsl,
    caFile: config.databaseCaFile,
    onIdleError: (err) => logger.warn({ err: err.message }, 'a pooled PostgreSQL connection broke; it is replaced'),
  });
  let built: App;
  try {
    built = await createApp({ config, database, logger, tuning: options.tuning });
  } catch (err) {
    await closeStoreDatabase(database);
    throw err;
  }
  const { app, services } = built;
  const server = createServer(app);
  try {
    await services.start();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await services.stop();
    await closeStoreDatabase(database);
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url, config: describeConfig(config) }, 'adapter started');

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5000).unref();
      });
      await services.stop();
      await closeStoreDatabase(database);
      logger.info('adapter stopped');
    })();
    return closing;
  };
  const running: RunningAdapter = {
    url,
    port,
    config,
    get db(): Db {
      if (!database.sqlite) throw new Error(`the adapter runs on PostgreSQL (${database.label}): use database.sql`);
      return database.sqlite;
    },
    database,
    services,
    app,
    server,
    logger,
    close,
  };
  return running;
}
