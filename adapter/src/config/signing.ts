/**
 * The signing settings' checks, made at start (config.ts) and by GET /health: cosign must be able to open
 * the private key with its password, and the trusted public key must be a PEM public key. cosign itself
 * is asked (`cosign public-key`), so what is checked is what signing needs.
 */
import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** cosign's environment: the adapter's own settings are not passed on; only what cosign needs is added. */
export function cosignEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('PATCHING_') || k.startsWith('COSIGN_') || k === 'DOCKER_CONFIG') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

/** The last meaningful line of cosign's error output (cosign prints `Error: ...` last). */
export function cosignError(run: { stderr: string; stdout: string; exitCode: number | undefined | null }): string {
  const lines = `${run.stderr}\n${run.stdout}`
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const error = lines.filter((l) => /^Error:|error/i.test(l)).at(-1) ?? lines.at(-1);
  return (error ?? `cosign exited with code ${run.exitCode}`).slice(0, 500);
}

/** The password in a file (one trailing line break dropped, as `echo pw > file` writes it). */
export function readPasswordFile(path: string): string {
  return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
}

/** Why the private key cannot be used (unreadable, not a cosign key, wrong password), or undefined. */
export function signingKeyProblem(cosignPath: string, keyFile: string, password: string): string | undefined {
  try {
    readFileSync(keyFile);
  } catch (err) {
    return `cannot read ${keyFile}: ${(err as Error).message}`;
  }
  const r = spawnSync(cosignPath, ['public-key', '--key', keyFile], {
    env: cosignEnv({ COSIGN_PASSWORD: password }),
    encoding: 'utf8',
    timeout: 30_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.error) return `cannot run cosign (${cosignPath}): ${r.error.message}; set PATCHING_COSIGN_PATH`;
  if (r.status === 0 && r.stdout.includes('-----BEGIN PUBLIC KEY-----')) return undefined;
  const detail = cosignError({ stderr: r.stderr, stdout: '', exitCode: r.status });
  if (/decrypt/i.test(detail)) return `the password does not open ${keyFile} (cosign: ${detail})`;
  return `${keyFile} is not a cosign private key (cosign: ${detail}); make one with cosign generate-key-pair or import-key-pair`;
}

/** Why the trusted public key cannot be used, or undefined. */
export function publicKeyProblem(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return `cannot read ${path}: ${(err as Error).message}`;
  }
  if (!text.includes('-----BEGIN PUBLIC KEY-----'))
    return `${path} holds no PEM public key (-----BEGIN PUBLIC KEY-----)`;
  try {
    createPublicKey(text);
  } catch (err) {
    return `${path} cannot be read as a public key: ${(err as Error).message}`;
  }
  return undefined;
}
