/**
 * Runs `copa patch` as its own process group (never through a shell), with a private DOCKER_CONFIG
 * holding the service robot's credentials for the Harbor host. Stop and timeout kill the whole group.
 */
import { execa } from 'execa';
import { mkdirSync, writeFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ProgressTracker, lineSplitter, type CopaProgress } from './progress';

export interface CopaRun {
  copaPath: string;
  /** --eol-api-url: the end-of-life API copa asks in update-all (comprehensive) mode; undefined: copa's default. */
  eolApiUrl?: string;
  buildkitAddr: string;
  /** Per-task directory (created here, removed by the caller). */
  workDir: string;
  /** host[:port] of Harbor's registry, as in image references. */
  registryHost: string;
  credentials: { username: string; password: string };
  image: string;
  target: string;
  /** v1alpha1 UpdateManifest; undefined = update every package (comprehensive mode). */
  updateManifest?: unknown;
  /**
   * An image index, targeted mode: one UpdateManifest per platform to patch (copa matches them to the
   * index's platforms by their `metadata.config.arch`; the platforms without one are kept as they are).
   */
  platformReports?: unknown[];
  /** An image index, comprehensive mode: the platforms copa updates (`--platform`); the others are kept. */
  platforms?: string[];
  timeoutSeconds: number;
  signal: AbortSignal;
  onLine: (line: string) => void;
  onProgress: (p: CopaProgress) => void;
  onSpawn: (pid: number) => void;
}

export interface CopaResult {
  exitCode: number | undefined;
  /** Killed by stop/timeout. */
  killed: boolean;
  /** The OpenVEX document copa wrote, if any. */
  vex: unknown;
  /** stderr text lines (the log, without the JSON progress lines). */
  lines: string[];
  seconds: number;
}

/**
 * Writes DOCKER_CONFIG/config.json (0600, directory 0700) with Basic credentials for one registry host,
 * or with a registry bearer token (`registrytoken`, used as it is by go-containerregistry) when given.
 */
export function writeDockerConfig(
  dir: string,
  host: string,
  username: string,
  password: string,
  registryToken?: string,
): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const auth = Buffer.from(`${username}:${password}`).toString('base64');
  const entry = registryToken ? { auth, registrytoken: registryToken } : { auth };
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [host]: entry } }), { mode: 0o600 });
}

/** Kills a process group: SIGTERM, then SIGKILL after `graceMs` if anything is left. */
export async function killProcessGroup(pid: number, graceMs = 3000): Promise<void> {
  const alive = () => {
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  const until = Date.now() + graceMs;
  while (Date.now() < until && alive()) await new Promise((r) => setTimeout(r, 100));
  if (alive()) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** The environment copa runs with: the adapter's own settings (and their secrets) are not passed on. */
function copaEnv(dockerConfig: string, tmp: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('PATCHING_') || k === 'DOCKER_CONFIG') continue;
    env[k] = v;
  }
  env.DOCKER_CONFIG = dockerConfig;
  env.TMPDIR = tmp;
  return env;
}

export async function runCopa(run: CopaRun): Promise<CopaResult> {
  const dockerDir = join(run.workDir, 'docker');
  const tmp = join(run.workDir, 'tmp');
  mkdirSync(tmp, { recursive: true, mode: 0o700 });
  writeDockerConfig(dockerDir, run.registryHost, run.credentials.username, run.credentials.password);
  const vexPath = join(run.workDir, 'vex.json');
  const args = [
    'patch',
    '--image',
    run.image,
    '--tag',
    run.target,
    '--push',
    '--addr',
    run.buildkitAddr,
    '--timeout',
    `${Math.max(1, Math.floor(run.timeoutSeconds))}s`,
    '--progress',
    'rawjson',
  ];
  if (run.eolApiUrl) args.push('--eol-api-url', run.eolApiUrl);
  if (run.updateManifest) {
    const reportPath = join(run.workDir, 'update-manifest.json');
    writeFileSync(reportPath, JSON.stringify(run.updateManifest, null, 2), { mode: 0o600 });
    args.push('--report', reportPath, '--scanner', 'native', '--format', 'openvex', '--output', vexPath);
  } else if (run.platformReports?.length) {
    // A directory of reports makes copa patch the image index platform by platform.
    const reportDir = join(run.workDir, 'reports');
    mkdirSync(reportDir, { recursive: true, mode: 0o700 });
    run.platformReports.forEach((report, i) =>
      writeFileSync(join(reportDir, `platform-${i}.json`), JSON.stringify(report, null, 2), { mode: 0o600 }),
    );
    args.push('--report', reportDir, '--scanner', 'native', '--format', 'openvex', '--output', vexPath);
  } else if (run.platforms?.length) {
    args.push('--platform', run.platforms.join(','));
  }
  run.onLine(`$ copa ${args.join(' ')}`);

  const tracker = new ProgressTracker();
  const lines: string[] = [];
  const splitter = lineSplitter(
    (status) => {
      const { progress, output } = tracker.update(status);
      for (const l of output) run.onLine(l);
      run.onProgress(progress);
    },
    (line) => {
      lines.push(line);
      run.onLine(line);
    },
  );

  const started = Date.now();
  run.signal.throwIfAborted();
  const child = execa(run.copaPath, args, {
    env: copaEnv(dockerDir, tmp),
    extendEnv: false,
    detached: true,
    reject: false,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    encoding: 'utf8',
    buffer: false,
    cwd: run.workDir,
  });
  if (child.pid) run.onSpawn(child.pid);
  let killed = false;
  const onAbort = () => {
    killed = true;
    if (child.pid) void killProcessGroup(child.pid);
  };
  run.signal.addEventListener('abort', onAbort, { once: true });
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (c: string) => splitter.push(c));
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (c: string) => splitter.push(c));
  const result = await child;
  run.signal.removeEventListener('abort', onAbort);
  splitter.end();

  let vex: unknown = null;
  if (existsSync(vexPath)) {
    try {
      vex = JSON.parse(readFileSync(vexPath, 'utf8'));
    } catch {
      vex = null;
    }
  }
  // Credentials never outlive the run.
  rmSync(dockerDir, { recursive: true, force: true });
  return {
    exitCode: result.exitCode,
    killed: killed || run.signal.aborted,
    vex,
    lines,
    seconds: (Date.now() - started) / 1000,
  };
}

/** Classifies a failed copa run from its log. */
export function classifyCopaFailure(lines: readonly string[]): {
  /** TOKEN_REALM_REFUSED: a class of its own (its advice differs), reported as REGISTRY_UNREACHABLE. */
  code:
    | 'BUILDKIT_UNREACHABLE'
    | 'REGISTRY_AUTH'
    | 'REGISTRY_UNREACHABLE'
    | 'TOKEN_REALM_REFUSED'
    | 'TIMEOUT'
    | 'UNSUPPORTED_OS'
    | 'COPA_FAILED';
  detail: string;
  transient: boolean;
  /** TOKEN_REALM_REFUSED: the host in the token service address that was refused. */
  realmHost?: string;
} {
  const text = lines.join('\n');
  const errorLines = lines.filter((l) => /error|fail|fatal/i.test(l));
  const detail = (errorLines.at(-1) ?? lines.at(-1) ?? 'copa exited without output').slice(0, 500);
  // go-containerregistry (copa reads image indexes with it) will not ask a token service whose address is a
  // loopback or private IP literal unless it is the registry's own host:port ("invalid realm in
  // www-authenticate: realm host "127.0.0.1" is a private or link-local address"). Retrying cannot help.
  const realm = /realm host "([^"]*)" is a private or link-local address/i.exec(text);
  if (realm) return { code: 'TOKEN_REALM_REFUSED', detail, transient: false, realmHost: realm[1] };
  if (/exceeded timeout|context deadline exceeded/i.test(text)) return { code: 'TIMEOUT', detail, transient: false };
  // gRPC dial errors towards buildkitd (unix socket or tcp): the socket is missing or nothing listens.
  if (
    /failed to list workers|Error while dialing|connection error: desc|failed to dial|buildkitd.*(not|un)available/i.test(
      text,
    )
  ) {
    return { code: 'BUILDKIT_UNREACHABLE', detail, transient: true };
  }
  if (
    /\b401 Unauthorized\b|\b403 Forbidden\b|unauthorized:|authentication required|insufficient_scope|denied:/i.test(
      text,
    )
  ) {
    return { code: 'REGISTRY_AUTH', detail, transient: false };
  }
  if (
    /\b50[0234] (Internal|Bad|Service|Gateway)|Internal Server Error|Bad Gateway|Service Unavailable|Gateway Timeout/i.test(
      text,
    ) ||
    // buildkitd could not connect to the registry (copa's own hint then wrongly suggests BuildKit).
    /dial tcp [^\n]*(connection refused|no such host|i\/o timeout|network is unreachable|no route to host)|connection reset by peer/i.test(
      text,
    )
  ) {
    return { code: 'REGISTRY_UNREACHABLE', detail, transient: true };
  }
  if (/unsupported (os|distro)|not supported|os-release/i.test(text))
    return { code: 'UNSUPPORTED_OS', detail, transient: false };
  return { code: 'COPA_FAILED', detail, transient: false };
}

/** copa exits 0 without pushing when it found nothing to update. */
export function copaFoundNothing(lines: readonly string[]): boolean {
  return lines.some((l) => /already up-to-date|no package updates found|No Updates Available/i.test(l));
}
