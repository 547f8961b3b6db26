/**
 * The dependency checks behind GET /patching/api/v1/health: Harbor, SQLite, buildkitd, the copa binary,
 * the registry (and, wired in the composition root, the service robot). Each answers ok or what to fix.
 */
import { connect } from 'node:net';
import { copaAvailable, type Config } from '../config/config';
import { pingSql, type StoreDatabase } from '../store/db';

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
  database: StoreDatabase,
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
      // The engine and where it is (never the password); unreachable is unhealthy, saying why.
      check: async () => {
        const detail = `${database.engine === 'postgres' ? 'PostgreSQL' : 'SQLite'} ${database.label}`;
        const ok = await pingSql(database.sql).catch((err: Error) => err);
        if (ok instanceof Error) return { ok: false, detail, error: `unreachable: ${ok.message}` };
        return ok ? { ok: true, detail } : { ok: false, detail, error: 'SELECT 1 failed' };
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
