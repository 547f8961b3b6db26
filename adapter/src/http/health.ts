/**
 * GET /patching/api/v1/health: liveness (always 200 while serving) plus the state of each dependency:
 * Harbor, SQLite, buildkitd, the copa binary and the registry. Modules may add or replace checks.
 * Like Harbor's /api/v2.0/health, anyone sees only component names and states; `detail` and `error`
 * (paths, internal addresses) are shown to Harbor system admins only. The endpoint needs no sign-in, so
 * the components are checked at most once per PATCHING_HEALTH_CACHE_SECONDS: callers in between get the
 * last result, and callers during a check share it, so calling health cannot load Harbor.
 */
import { connect } from 'node:net';
import express, { type Request, type Router } from 'express';
import { credentialsOf } from '../auth/credentials';
import { TtlCache } from '../cache';
import { copaAvailable, type Config } from '../config/config';
import type { AppContext, HealthCheck, HealthResult } from '../context';
import type { Db } from '../store/db';

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

/** Opens a connection to buildkitd's socket (unix:// or tcp://) without speaking its protocol. */
export function canConnect(addr: string, timeoutMs = 2000): Promise<HealthResult> {
  return new Promise((resolve) => {
    let target: { path: string } | { host: string; port: number };
    if (addr.startsWith('unix://')) target = { path: addr.slice('unix://'.length) };
    else if (addr.startsWith('tcp://')) {
      const u = new URL(addr);
      target = { host: u.hostname, port: Number(u.port) };
    } else return resolve({ ok: true, detail: `${addr} (not checked: only unix:// and tcp:// are probed)` });
    const socket = connect(target as never);
    const done = (r: HealthResult) => {
      socket.destroy();
      resolve(r);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, detail: addr, error: 'connection timed out' }));
    socket.once('connect', () => done({ ok: true, detail: addr }));
    socket.once('error', (err) =>
      done({
        ok: false,
        detail: addr,
        error: `cannot connect (${err.message}); start buildkitd or set PATCHING_BUILDKIT_ADDR`,
      }),
    );
  });
}

/** `fetchImpl` reaches Harbor and the registry as every other call does (config/outbound.ts). */
export function builtInHealthChecks(
  config: Config,
  db: Db,
  fetchImpl: typeof fetch = (input, init) => fetch(input, init),
): HealthCheck[] {
  return [
    {
      name: 'harbor',
      check: async () => {
        const res = await fetchImpl(`${config.harborUrl}/api/v2.0/ping`, { signal: AbortSignal.timeout(2500) }).catch(
          (err: Error) => err,
        );
        if (res instanceof Error) return { ok: false, detail: config.harborUrl, error: `unreachable: ${res.message}` };
        await res.body?.cancel();
        return res.ok
          ? { ok: true, detail: config.harborUrl }
          : { ok: false, detail: config.harborUrl, error: `ping answered ${res.status}` };
      },
    },
    {
      name: 'database',
      check: async () => {
        const row = db.prepare('SELECT 1 AS one').get() as { one: number };
        return row.one === 1 ? { ok: true, detail: db.name } : { ok: false, error: 'SELECT 1 failed' };
      },
    },
    { name: 'buildkitd', check: () => canConnect(config.buildkitAddr) },
    {
      name: 'copa',
      check: async () =>
        copaAvailable(config)
          ? { ok: true, detail: config.copaPath }
          : {
              ok: false,
              detail: config.copaPath,
              error: 'copa binary not found or not executable; set PATCHING_COPA_PATH',
            },
    },
    {
      name: 'registry',
      check: async () => {
        const url = `${config.registryInsecure ? 'http' : 'https'}://${config.registryHost}/v2/`;
        const res = await fetchImpl(url, { signal: AbortSignal.timeout(2500) }).catch((err: Error) => err);
        if (res instanceof Error) return { ok: false, detail: url, error: `unreachable: ${res.message}` };
        await res.body?.cancel();
        // 401 is the normal answer without credentials: the registry is there.
        return res.ok || res.status === 401
          ? { ok: true, detail: url }
          : { ok: false, detail: url, error: `answered ${res.status}` };
      },
    },
  ];
}

/**
 * Whether the caller is a Harbor system admin. Never throws: missing or refused credentials, or an
 * unreachable Harbor, mean "no" so that health keeps answering 200.
 */
async function callerIsSysadmin(ctx: AppContext, req: Request): Promise<boolean> {
  const creds = credentialsOf(req);
  if (!creds) return false;
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), CHECK_TIMEOUT_MS).unref());
  const identified = ctx.auth.resolver.identify(creds).then(
    (caller) => caller.sysadmin,
    () => false,
  );
  return Promise.race([identified, timeout]);
}

export function healthRouter(ctx: AppContext, checks: () => HealthCheck[]): Router {
  const router = express.Router();
  const results = new TtlCache<{ name: string; result: HealthResult }[]>(ctx.config.healthCacheSeconds * 1000);
  const checkAll = () =>
    results.get('components', () =>
      Promise.all(
        checks().map(async (c) => ({ name: c.name, result: await withTimeout(c.check(), CHECK_TIMEOUT_MS) })),
      ),
    );
  router.get('/health', async (req, res) => {
    const [sysadmin, checked] = await Promise.all([callerIsSysadmin(ctx, req), checkAll()]);
    const components = checked.map(({ name, result: r }) => ({
      name,
      status: r.ok ? 'healthy' : 'unhealthy',
      ...(sysadmin && r.error ? { error: r.error } : {}),
      ...(sysadmin && r.detail ? { detail: r.detail } : {}),
    }));
    // The body depends on who asks: never serve one caller's answer to another from a cache.
    res.set('Cache-Control', 'no-store');
    res.vary('Authorization').vary('Cookie');
    res.json({
      status: components.every((r) => r.status === 'healthy') ? 'healthy' : 'unhealthy',
      version: ctx.version,
      components,
    });
  });
  return router;
}
