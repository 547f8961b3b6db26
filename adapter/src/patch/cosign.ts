/**
 * cosign, key-based and offline: signs patched images, attests copa's OpenVEX document, verifies a source's
 * signature and checks the signing key at start. Never through a shell; the key's password reaches cosign
 * only in its environment (COSIGN_PASSWORD), the registry credentials only in a private DOCKER_CONFIG.
 *
 * Flags (cosign v3): `--use-signing-config=false --tlog-upload=false` keep cosign off the transparency log
 * and the TUF CDN (both need the internet); `--new-bundle-format=false` writes the signature as the
 * `sha256-<hex>.sig` tag, which every Harbor since v2.5 lists as a `signature.cosign` accessory (the v3
 * bundle referrer only from Harbor v2.15 on). The OpenVEX attestation keeps the bundle format: an OCI
 * referrer of the image (deleted with it), found by Trivy's `--vex oci`; a legacy `.att` tag would be an
 * ordinary tagged artifact in Harbor.
 */
import { execa } from 'execa';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cosignEnv, cosignError } from '../config/signing';
import { writeDockerConfig } from './copa';

export { cosignError };

/** The service's signing settings (config: PATCHING_COSIGN_*, PATCHING_SIGNING_*, PATCHING_TRUST_*). */
export interface SigningSettings {
  cosignPath: string;
  /** cosign private key (`ENCRYPTED SIGSTORE PRIVATE KEY`) and its password; unset: the service cannot sign. */
  key?: { file: string; password: string };
  /** Sign patched images when a task's options do not say (`sign` unset). */
  signByDefault: boolean;
  /** Public key a source's own signature must verify against (trust before patching). */
  trustedKeyFile?: string;
  /** The registry speaks plain HTTP. */
  insecure: boolean;
}

export interface CosignRun {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  seconds: number;
}

const OFFLINE = ['--use-signing-config=false', '--tlog-upload=false'];

function registryFlags(insecure: boolean): string[] {
  return insecure ? ['--allow-http-registry', '--allow-insecure-registry'] : [];
}

/**
 * Runs cosign once with the robot's credentials in a private DOCKER_CONFIG under `workDir` (removed after).
 * The password is only in cosign's environment.
 */
export async function runCosign(
  cosignPath: string,
  args: string[],
  o: {
    workDir: string;
    registryHost: string;
    credentials: { username: string; password: string };
    /** A push-scoped bearer token of the repository (Harbor's token service), used instead of Basic. */
    registryToken?: string;
    password?: string;
    signal: AbortSignal;
  },
): Promise<CosignRun> {
  const dockerDir = join(o.workDir, `cosign-docker-${process.pid}-${Math.random().toString(36).slice(2)}`);
  writeDockerConfig(dockerDir, o.registryHost, o.credentials.username, o.credentials.password, o.registryToken);
  const started = Date.now();
  try {
    const extra: Record<string, string> = { DOCKER_CONFIG: dockerDir, COSIGN_YES: 'true' };
    if (o.password !== undefined) extra.COSIGN_PASSWORD = o.password;
    const r = await execa(cosignPath, args, {
      env: cosignEnv(extra),
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
      cancelSignal: o.signal,
      forceKillAfterDelay: 3000,
      encoding: 'utf8',
      cwd: o.workDir,
    });
    return {
      exitCode: r.exitCode,
      stdout: String(r.stdout ?? ''),
      stderr: String(r.stderr ?? ''),
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    rmSync(dockerDir, { recursive: true, force: true });
  }
}

/** `cosign sign` of one digest reference (and every child of an index), legacy `.sig` format, offline. */
export function signArgs(key: string, ref: string, insecure: boolean): string[] {
  return [
    'sign',
    '--key',
    key,
    ...OFFLINE,
    '--new-bundle-format=false',
    '--recursive',
    ...registryFlags(insecure),
    ref,
  ];
}

/** `cosign attest --type openvex` of one digest reference: a Sigstore bundle referrer, offline. */
export function attestArgs(key: string, predicate: string, ref: string, insecure: boolean): string[] {
  return [
    'attest',
    '--key',
    key,
    ...OFFLINE,
    '--type',
    'openvex',
    '--predicate',
    predicate,
    ...registryFlags(insecure),
    ref,
  ];
}

/** `cosign verify` against a public key without the transparency log (no network but the registry). */
export function verifyArgs(publicKey: string, ref: string, insecure: boolean): string[] {
  return ['verify', '--key', publicKey, '--insecure-ignore-tlog', ...registryFlags(insecure), ref];
}

/**
 * The digest a tag names, resolved by cosign (`cosign triangulate` answers the signature tag
 * `<repo>:sha256-<hex>.sig` of the image). Harbor lets cosign read an unsigned manifest of a project that
 * enforces cosign signatures when the caller may push; any other client gets 412 there.
 */
export function digestFromTriangulate(stdout: string): string | undefined {
  const m = /:sha256-([a-f0-9]{64})\.sig\s*$/.exec(stdout.trim());
  return m ? `sha256:${m[1]}` : undefined;
}

/** Writes `content` into a new file (0600) under `dir`; answers its path. */
export function writePrivateFile(dir: string, name: string, content: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}
