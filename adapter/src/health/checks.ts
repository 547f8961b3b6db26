/**
 * The dependency checks behind GET /patching/api/v1/health: Harbor, SQLite, each buildkitd, the copa binary,
 * the registry (and, wired in the composition root, the service robot). Each answers ok or what to fix.
 */
import { buildkitEndpoints, copaAvailable, type Config } from '../config/config';
import { publicKeyProblem, readPasswordFile, signingKeyProblem } from '../config/signing';
import { BuildkitPool } from '../jobs/buildkit-pool';
import { pingSql, type StoreDatabase } from '../store/db';

export interface HealthResult {
  ok: boolean;
  /** Why it failed and what to check. */
  error?: string;
  /** What was checked, e.g. an address. */
  detail?: string;
  /** A buildkitd endpoint's copa slots. */
  slots?: { total: number; in_use: number };
}

export interface HealthCheck {
  name: string;
  check: () => Promise<HealthResult>;
}

/**
 * One check per buildkitd endpoint: `buildkitd` for a single address, `buildkitd-1`, `buildkitd-2`, ... (in
 * the configured order) for several. Each check probes the endpoint now (and so also takes it out of the
 * pool or puts it back) and tells its copa slots and how many are in use.
 */
export function buildkitHealthChecks(pool: BuildkitPool): HealthCheck[] {
  const endpoints = pool.list();
  return endpoints.map((e) => ({
    name: endpoints.length === 1 ? 'buildkitd' : `buildkitd-${e.index}`,
    check: async () => {
      const now = await pool.check(e.index);
      return {
        ok: now.result.ok,
        detail: now.result.detail,
        ...(now.result.error ? { error: now.result.error } : {}),
        slots: { total: now.slots, in_use: now.inUse },
      };
    },
  }));
}

/** `fetchImpl` reaches Harbor and the registry as every other call does (config/outbound.ts). */
export function builtInHealthChecks(
  config: Config,
  database: StoreDatabase,
  fetchImpl: typeof fetch = (input, init) => fetch(input, init),
  /** The service's pool, so that the checks also take endpoints out and put them back; default: one of its own. */
  buildkit = new BuildkitPool(buildkitEndpoints(config.buildkitAddr, config.concurrency)),
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
    ...buildkitHealthChecks(buildkit),
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
    ...signingChecks(config),
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
 * `signing` when a signing key or a trusted public key is set: the files are read again, so a key or
 * password replaced after the start shows here (with what is wrong, never the password).
 */
export function signingChecks(
  config: Pick<Config, 'cosignPath' | 'signingKeyFile' | 'signingPasswordFile' | 'trustPublicKeyFile'>,
): HealthCheck[] {
  if (!config.signingKeyFile && !config.trustPublicKeyFile) return [];
  return [
    {
      name: 'signing',
      check: async () => {
        const problems: string[] = [];
        if (config.signingKeyFile) {
          let password = '';
          try {
            if (config.signingPasswordFile) password = readPasswordFile(config.signingPasswordFile);
            const problem = signingKeyProblem(config.cosignPath, config.signingKeyFile, password);
            if (problem) problems.push(`PATCHING_SIGNING_KEY_FILE: ${problem}`);
          } catch (err) {
            problems.push(`PATCHING_SIGNING_PASSWORD_FILE: ${(err as Error).message}`);
          }
        }
        if (config.trustPublicKeyFile) {
          const problem = publicKeyProblem(config.trustPublicKeyFile);
          if (problem) problems.push(`PATCHING_TRUST_PUBLIC_KEY_FILE: ${problem}`);
        }
        const detail = [config.signingKeyFile, config.trustPublicKeyFile].filter(Boolean).join(', ');
        return problems.length ? { ok: false, detail, error: problems.join('; ') } : { ok: true, detail };
      },
    },
  ];
}
