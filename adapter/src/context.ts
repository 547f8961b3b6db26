/**
 * What every module gets (`AppContext`) and how a module plugs into the app (`AdapterModule`).
 * Modules are listed once, in `modules.ts`.
 */
import type { EventEmitter } from 'node:events';
import type { Router } from 'express';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { PatchPolicy } from '@harbor-patching/shared/policy/model';
import type { AuthMiddleware } from './auth/middleware';
import type { Config } from './config/config';
import type { Outbound } from './config/outbound';
import type { HarborClient } from './harbor/client';
import type { Db, Migration } from './store/db';
import type { PolicyStore } from './store/policies';

/** The base path of our REST API. */
export const API_BASE = '/patching/api/v1';

export interface HealthResult {
  ok: boolean;
  /** Why it failed and what to check. */
  error?: string;
  /** What was checked, e.g. an address. */
  detail?: string;
}

export interface HealthCheck {
  name: string;
  check: () => Promise<HealthResult>;
}

/** Events modules tell each other about (e.g. the scheduler reacts to policy changes). */
export interface AppEventMap {
  /** `policy` is the state after the change (before it, for `deleted`). */
  'policy.changed': [{ change: 'created' | 'updated' | 'deleted'; policy: PatchPolicy }];
}

export interface AppContext {
  config: Config;
  db: Db;
  logger: Logger;
  /** Harbor as the service's robot account (anonymous when no robot is configured). */
  harbor: HarborClient;
  /** How to reach Harbor and its registry (trusts PATCHING_CA_FILE): use its fetch for every call to them. */
  outbound: Outbound;
  auth: AuthMiddleware;
  policies: PolicyStore;
  /** Prometheus registry served at /patching/metrics: modules add their own metrics to it. */
  metrics: Registry;
  events: EventEmitter<AppEventMap>;
  /** Things a module offers others at run time, by name (e.g. `services.jobs`); set them in `init`. */
  services: Record<string, unknown>;
  /** Version of the adapter (from package.json). */
  version: string;
}

export interface RouteMount {
  /** Mount path, e.g. API_BASE, '/api/v1' (jobservice) or '/patching/webhooks'. */
  path: string;
  router: Router;
}

export interface AdapterModule {
  name: string;
  /** The module's own tables. Run at start, in module list order. */
  migrations?: readonly Migration[];
  /** After migrations, before routes: build the module's services (put shared ones in ctx.services). */
  init?(ctx: AppContext): void | Promise<void>;
  /** Routers to mount. Routers under API_BASE get JSON parsing, OpenAPI validation and the CSRF guard first. */
  routes?(ctx: AppContext): RouteMount[];
  /** Dependency checks shown by GET /patching/api/v1/health (a check with a built-in's name replaces it). */
  healthChecks?(ctx: AppContext): HealthCheck[];
  /** Before the server accepts requests (e.g. recover interrupted work, start timers). */
  start?(ctx: AppContext): void | Promise<void>;
  /** On shutdown, in reverse module order, after the server stopped accepting requests. */
  stop?(ctx: AppContext): void | Promise<void>;
}
