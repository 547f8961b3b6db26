/**
 * The dependency checks behind GET /patching/api/v1/health: Harbor, SQLite, buildkitd, the copa binary,
 * the registry (and, wired in the composition root, the service robot). Each answers ok or what to fix.
 */
import { connect } from 'node:net';
import { copaAvailable, type Config } from '../config/config';
import { publicKeyProblem, readPasswordFile, signingKeyProblem } from '../config/signing';
import { pingDatabase, type Db } from '../store/db';

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
        return pingDatabase(db) ? { ok: true, detail: db.name } : { ok: false, error: 'SELECT 1 failed' };
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
