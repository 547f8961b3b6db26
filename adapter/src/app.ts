/**
 * The adapter's HTTP application and its lifecycle.
 *   createApp(deps)        builds the Express app over an open database (runs the modules' migrations)
 *   startAdapter(config)   opens the store, builds the app, starts the modules, listens; returns
 *                          { url, close(), db, config, ctx, ... } (tests start it on port 0)
 * Request order: request id + metrics -> Harbor proxy (raw bodies, Harbor's encoding) -> compression ->
 * health, metrics, openapi.json ->
 * API (405 for undocumented methods, JSON body limit, CSRF guard, OpenAPI validation, module routers) ->
 * portal -> errors.
 */
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { loadOpenApiDocument } from '@harbor-patching/shared/api/document';
import { AccessResolver } from './auth/access';
import { csrfGuard } from './auth/csrf';
import { createAuthMiddleware } from './auth/middleware';
import { describeConfig, ENV_PREFIX, loadConfig, type Config } from './config/config';
import { outbound as outboundHttp } from './config/outbound';
import { API_BASE, type AdapterModule, type AppContext, type AppEventMap, type HealthCheck } from './context';
import { HarborClient, type HarborAuth } from './harbor/client';
import { compressResponses } from './http/compression';
import { apiNotFound, errorHandler, sendError } from './http/errors';
import { builtInHealthChecks, healthRouter } from './http/health';
import { createLogger, createMetrics, requestContext } from './http/observability';
import { methodNotAllowed, openApiValidator } from './http/openapi';
import { portalRouter } from './http/portal';
import { harborProxy } from './http/proxy';
import { MODULES } from './modules';
import { migrate, openDatabase, unknownMigrations, type Db, type Migration } from './store/db';
import { PolicyStore } from './store/policies';

export const VERSION = '0.1.0';
export const DATABASE_FILE = 'patching.db';

/** Every module's migrations, in module order. */
export function collectMigrations(modules: readonly AdapterModule[]): Migration[] {
  return modules.flatMap((m) => [...(m.migrations ?? [])]);
}

export interface AppDeps {
  config: Config;
  db: Db;
  logger?: Logger;
  modules?: readonly AdapterModule[];
}

export interface App {
  app: Express;
  ctx: AppContext;
  modules: readonly AdapterModule[];
}

function serviceAuth(config: Config): HarborAuth {
  return config.robotName && config.robotSecret
    ? { kind: 'basic', username: config.robotName, password: config.robotSecret }
    : { kind: 'anonymous' };
}

export async function createApp(deps: AppDeps): Promise<App> {
  const { config, db } = deps;
  const modules = deps.modules ?? MODULES;
  const logger = deps.logger ?? createLogger(config.logLevel);
  const newer = unknownMigrations(db, collectMigrations(modules));
  if (newer.length > 0) {
    throw new Error(
      `the database ${db.name} was migrated by a newer release (schema steps ${newer.join(', ')} are unknown to this one); ` +
        'run that release, or restore the backup of the data directory made before the upgrade',
    );
  }
  const applied = migrate(db, collectMigrations(modules));
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');

  const outbound = await outboundHttp(config.caFile);
  const harbor = new HarborClient(config.harborUrl, serviceAuth(config), config.harborTimeoutMs, outbound.fetch);
  const metrics = createMetrics();
  const ctx: AppContext = {
    config,
    db,
    logger,
    harbor,
    outbound,
    auth: createAuthMiddleware(new AccessResolver(harbor, config.authCacheSeconds)),
    policies: new PolicyStore(db),
    metrics: metrics.registry,
    events: new EventEmitter<AppEventMap>(),
    services: {},
    version: VERSION,
  };
  for (const m of modules) await m.init?.(ctx);

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.use(requestContext(logger));
  app.use(metrics.middleware);
  app.use(harborProxy(config.harborUrl, logger, outbound.httpsAgent));
  app.use(compressResponses());

  const document = loadOpenApiDocument();
  const healthChecks = (): HealthCheck[] => {
    const byName = new Map(builtInHealthChecks(config, db, outbound.fetch).map((c) => [c.name, c]));
    for (const m of modules) for (const c of m.healthChecks?.(ctx) ?? []) byName.set(c.name, c);
    return [...byName.values()];
  };
  app.use(API_BASE, healthRouter(ctx, healthChecks));
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

  const mounts = modules.flatMap((m) => m.routes?.(ctx) ?? []);
  for (const mount of mounts) {
    app.use(
      mount.path,
      (_req, res, next) => {
        res.locals.mountPath = mount.path;
        next();
      },
      mount.router,
    );
  }
  app.use(API_BASE, apiNotFound());
  app.use(portalRouter(config.portalDir));
  app.get('/', (_req, res) => res.redirect(302, '/patching/'));
  app.use(errorHandler(logger));
  return { app, ctx, modules };
}

export interface RunningAdapter {
  url: string;
  port: number;
  config: Config;
  db: Db;
  ctx: AppContext;
  app: Express;
  server: Server;
  logger: Logger;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Use this configuration as it is (main.ts passes the one it loaded from the environment). */
  config?: Config;
  logger?: Logger;
  modules?: readonly AdapterModule[];
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
  const db = openDatabase(join(config.dataDir, DATABASE_FILE));
  let built: App;
  try {
    built = await createApp({ config, db, logger, modules: options.modules });
  } catch (err) {
    db.close();
    throw err;
  }
  const { app, ctx, modules } = built;
  const started: AdapterModule[] = [];
  const server = createServer(app);
  const stopModules = async () => {
    for (const m of [...started].reverse()) {
      try {
        await m.stop?.(ctx);
      } catch (err) {
        logger.error({ err, module: m.name }, 'module failed to stop cleanly');
      }
    }
  };
  try {
    for (const m of modules) {
      await m.start?.(ctx);
      started.push(m);
    }
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await stopModules();
    db.close();
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
      await stopModules();
      db.close();
      logger.info('adapter stopped');
    })();
    return closing;
  };
  return { url, port, config, db, ctx, app, server, logger, close };
}
