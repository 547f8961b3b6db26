/**
 * GET /patching/api/v1/health: liveness (always 200 while serving) plus the state of each dependency
 * (health/checks.ts). Like Harbor's /api/v2.0/health, anyone sees only component names and states; `detail`
 * and `error` (paths, internal addresses) and a buildkitd's `slots` are shown to Harbor system admins only. The endpoint needs no
 * sign-in, so the components are checked at most once per PATCHING_HEALTH_CACHE_SECONDS: callers in between
 * get the last result, and callers during a check share it, so calling health cannot load Harbor.
 */
import express, { type Request, type Router } from 'express';
import type { AccessResolver } from '../auth/access';
import { credentialsOf } from '../auth/credentials';
import { TtlCache } from '../cache';
import type { HealthCheck, HealthResult } from '../health/checks';

const CHECK_TIMEOUT_MS = 3000;

function withTimeout(p: Promise<HealthResult>, ms: number): Promise<HealthResult> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve({ ok: false, error: `no answer within ${ms} ms` }), ms);
    p.then(
      (r) => resolve(r),
      (err) => resolve({ ok: false, error: err instanceof Error ? err.message : String(err) }),
    ).finally(() => clearTimeout(t));
  });
}

export interface HealthRouterDeps {
  resolver: AccessResolver;
  cacheSeconds: number;
  version: string;
  checks: readonly HealthCheck[];
}

/**
 * Whether the caller is a Harbor system admin. Never throws: missing or refused credentials, or an
 * unreachable Harbor, mean "no" so that health keeps answering 200.
 */
async function callerIsSysadmin(resolver: AccessResolver, req: Request): Promise<boolean> {
  const creds = credentialsOf(req);
  if (!creds) return false;
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), CHECK_TIMEOUT_MS).unref());
  const identified = resolver.identify(creds).then(
    (caller) => caller.sysadmin,
    () => false,
  );
  return Promise.race([identified, timeout]);
}

export function healthRouter(deps: HealthRouterDeps): Router {
  const router = express.Router();
  const results = new TtlCache<{ name: string; result: HealthResult }[]>(deps.cacheSeconds * 1000);
  const checkAll = () =>
    results.get('components', () =>
      Promise.all(
        deps.checks.map(async (c) => ({ name: c.name, result: await withTimeout(c.check(), CHECK_TIMEOUT_MS) })),
      ),
    );
  router.get('/health', async (req, res) => {
    const [sysadmin, checked] = await Promise.all([callerIsSysadmin(deps.resolver, req), checkAll()]);
    const components = checked.map(({ name, result: r }) => ({
      name,
      status: r.ok ? 'healthy' : 'unhealthy',
      ...(sysadmin && r.error ? { error: r.error } : {}),
      ...(sysadmin && r.detail ? { detail: r.detail } : {}),
      ...(sysadmin && r.slots ? { slots: r.slots } : {}),
    }));
    // The body depends on who asks: never serve one caller's answer to another from a cache.
    res.set('Cache-Control', 'no-store');
    res.vary('Authorization').vary('Cookie');
    res.json({
      status: components.every((r) => r.status === 'healthy') ? 'healthy' : 'unhealthy',
      version: deps.version,
      components,
    });
  });
  return router;
}
