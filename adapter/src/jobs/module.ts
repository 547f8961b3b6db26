/**
 * Wires the patch engine from the adapter's configuration: the executions store (with its migrations),
 * the service robot's Harbor and registry clients, task logs, the worker pool, and the routers.
 */
import { join } from 'node:path';
import type { Router } from 'express';
import type { Db } from '../store/db';
import { migrate } from '../store/db';
import { ExecutionStore, executionMigrations } from '../store/executions';
import { HarborClient } from '../harbor/client';
import { RegistryClient } from '../registry/client';
import { ServiceRobot } from '../harbor/robot';
import { DEFAULT_ENGINE_CONFIG, PatchEngine, type EngineConfig } from './engine';
import { Scrubber, TaskLogs } from './logs';
import type { AuthMiddleware } from '../auth/middleware';
import { executionsRouter } from '../http/executions';
import { patchRouter } from '../http/patch';

export interface PatchModuleSettings {
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
  buildkitAddr: string;
  copaPath: string;
  /** copa's --eol-api-url (comprehensive mode); unset: copa's default. */
  copaEolApiUrl?: string;
  concurrency?: number;
  taskTimeoutSeconds?: number;
  scanTimeoutSeconds?: number;
  maxAttempts?: number;
  retryBaseMs?: number;
  harborTimeoutMs?: number;
  /** How long what Harbor says about the robot's access is kept (default 10 s). */
  robotCacheSeconds?: number;
  /** How often a running Harbor scan is polled (default 500 ms). */
  scanPollMs?: number;
  /** Other secrets that must never reach a task log (webhook, jobservice secrets). */
  extraSecrets?: (string | undefined)[];
}

export interface PatchModule {
  engine: PatchEngine;
  store: ExecutionStore;
  harbor: HarborClient;
  registry: RegistryClient;
  /** The service robot: its credentials and its access to projects, as Harbor sees them. */
  robot: ServiceRobot;
  /** Routers for /patching/api/v1 (executions, tasks, ad-hoc patch). */
  routers(auth: AuthMiddleware): Router[];
}

/** Harbor's /v2/ as the registry client reaches it: the registry host and scheme when set, else Harbor's origin. */
export function registryUrl(s: Pick<PatchModuleSettings, 'harborUrl' | 'registryHost' | 'registryInsecure'>): string {
  if (!s.registryHost) return s.harborUrl;
  const insecure = s.registryInsecure ?? s.harborUrl.startsWith('http:');
  return `${insecure ? 'http' : 'https'}://${s.registryHost}`;
}

export function createPatchModule(db: Db, s: PatchModuleSettings): PatchModule {
  migrate(db, executionMigrations);
  const store = new ExecutionStore(db);
  const robot = { username: s.robotName, password: s.robotSecret };
  const harbor = new HarborClient(s.harborUrl, { kind: 'basic', ...robot }, s.harborTimeoutMs ?? 15_000, s.fetch);
  const registry = new RegistryClient(registryUrl(s), robot, undefined, s.fetch);
  const serviceRobot = new ServiceRobot(harbor, s.robotName, s.robotCacheSeconds ?? 10);
  const taskTimeoutSeconds = s.taskTimeoutSeconds ?? DEFAULT_ENGINE_CONFIG.taskTimeoutMs / 1000;
  const config: EngineConfig = {
    concurrency: s.concurrency ?? DEFAULT_ENGINE_CONFIG.concurrency,
    taskTimeoutMs: taskTimeoutSeconds * 1000,
    maxAttempts: s.maxAttempts ?? DEFAULT_ENGINE_CONFIG.maxAttempts,
    retryBaseMs: s.retryBaseMs ?? DEFAULT_ENGINE_CONFIG.retryBaseMs,
    dataDir: s.dataDir,
  };
  const logs = new TaskLogs(
    join(s.dataDir, 'task-logs'),
    Scrubber.forCredentials(s.robotName, s.robotSecret, s.extraSecrets),
  );
  const engine = new PatchEngine(
    store,
    {
      harbor,
      registry,
      registryHost: s.registryHost,
      robot,
      copaPath: s.copaPath,
      copaEolApiUrl: s.copaEolApiUrl,
      buildkitAddr: s.buildkitAddr,
      // copa's own timeout fires a little before ours, so its error message reaches the log.
      copaTimeoutSeconds: Math.max(10, taskTimeoutSeconds - 30),
      scanTimeoutMs: (s.scanTimeoutSeconds ?? 600) * 1000,
      scanPollMs: s.scanPollMs ?? 500,
    },
    config,
    logs,
    serviceRobot,
  );
  return {
    engine,
    store,
    harbor,
    registry,
    robot: serviceRobot,
    routers: (auth) => [executionsRouter(engine, auth), patchRouter(engine, harbor, auth, serviceRobot)],
  };
}
