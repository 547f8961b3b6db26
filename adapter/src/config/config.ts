/**
 * The adapter's settings: environment variables `PATCHING_*`, optionally a JSON file named by
 * `PATCHING_CONFIG_FILE` (keys are the variable names without the prefix, lower-case:
 * `{"harbor_url": "...", "concurrency": 4}`). The environment wins over the file. Every setting has a
 * default that works for the local stack; README.md ("Configuration") lists them all.
 */
import { X509Certificate } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasModernFetch } from './outbound';
import { publicKeyProblem, readPasswordFile, signingKeyProblem } from './signing';

export interface Config {
  /** Address and port the HTTP server listens on. */
  host: string;
  port: number;
  /** Harbor's origin (no path), e.g. https://harbor.example.com. */
  harborUrl: string;
  /** Registry host copa pulls from and pushes to (Harbor's /v2/), e.g. harbor.example.com. */
  registryHost: string;
  /** Talk to the registry over plain HTTP (true when harborUrl is http://). */
  registryInsecure: boolean;
  /** PEM file of the CA(s) that signed Harbor's TLS certificate, trusted besides Node's built-in ones. */
  caFile?: string;
  /** The service's Harbor robot account (does the pulls, pushes, scans, tags). */
  robotName?: string;
  robotSecret?: string;
  /** Folder for the SQLite file and task files. */
  dataDir: string;
  /** postgres://user:password@host:port/database: the store on PostgreSQL instead of SQLite in dataDir. */
  databaseUrl?: string;
  /** Connections in the PostgreSQL pool. */
  databasePoolSize: number;
  /** Seconds a PostgreSQL statement may run before the server cancels it. */
  databaseStatementTimeoutSeconds: number;
  /** TLS to PostgreSQL: disable, require (encrypted, certificate not checked) or verify (certificate checked). */
  databaseSsl: 'disable' | 'require' | 'verify';
  /** PEM file of the CA that signed PostgreSQL's certificate (implies verify). */
  databaseCaFile?: string;
  /**
   * This process's name among the replicas sharing one database: it owns the leases of the tasks it runs, and
   * after a restart it cleans up what it left (copa processes, credential folders). Unique per replica and the
   * same across its restarts (a StatefulSet pod name or the host name).
   */
  replicaId: string;
  /**
   * Seconds a running task's claim lasts without a heartbeat. A replica renews its claims every third of it;
   * another replica takes over the tasks of one that stopped renewing (it died) once their claims lapse.
   */
  leaseSeconds: number;
  /**
   * buildkitd addresses for copa, comma-separated, each optionally with its number of copa slots:
   * `unix:///run/buildkit/buildkitd.sock` or `tcp://a:1234=2,unix:///run/b.sock=1` (see buildkitEndpoints).
   * The file form may also be a JSON array of such entries.
   */
  buildkitAddr: string;
  /** Seconds between checks of each buildkitd endpoint. */
  buildkitCheckSeconds: number;
  /** The copa binary. */
  copaPath: string;
  /** Base URL of the end-of-life API copa asks in comprehensive mode (its --eol-api-url); unset: copa's default. */
  copaEolApiUrl?: string;
  /** The built portal (index.html and assets) served under /patching/. */
  portalDir: string;
  /** The secret each project's webhook credential is derived from (webhooks/credential.ts); never sent anywhere. */
  webhookSecret?: string;
  /** Secret Harbor core uses for the jobservice-compatible API (`Authorization: Harbor-Secret <secret>`). */
  jobserviceSecret?: string;
  /** copa runs at once on each buildkitd address that names no slot count of its own. */
  concurrency: number;
  /**
   * Patch tasks in progress at once (their Harbor and registry work: scans, registry reads, verification,
   * labels, re-scans); unset: 3 x all copa slots. copa runs among them are bounded by the copa slots.
   */
  taskConcurrency?: number;
  /** Seconds one patch task may take before it is stopped (copa's --timeout gets this too). */
  taskTimeoutSeconds: number;
  /** Seconds to wait for a Harbor scan to finish. */
  scanTimeoutSeconds: number;
  /** Seconds a caller's identity and permissions stay cached (the service robot's too). */
  authCacheSeconds: number;
  /** Seconds GET /health answers from the last check of its components. */
  healthCacheSeconds: number;
  /** Milliseconds before a call to Harbor is abandoned. */
  harborTimeoutMs: number;
  /** pino level: fatal, error, warn, info, debug, trace or silent. */
  logLevel: string;
  /** The public origin users reach the adapter at (for CSRF origin checks behind a proxy), e.g. https://harbor.example.com. */
  externalUrl?: string;
  /** Trust X-Forwarded-* headers (Express "trust proxy"): set when behind Harbor's nginx. */
  trustProxy: boolean;
  /** Largest accepted JSON body in bytes. */
  maxBodyBytes: number;
  /** The cosign binary (signing and trust before patching). */
  cosignPath: string;
  /** cosign private key file (`cosign generate-key-pair`); unset: patched images are not signed. */
  signingKeyFile?: string;
  /** File holding the private key's password (unset: an empty password). */
  signingPasswordFile?: string;
  /** The password read from signingPasswordFile at start; never printed. */
  signingPassword?: string;
  /** Sign patched images when a policy or patch does not say (default: true when a signing key is set). */
  signByDefault: boolean;
  /** cosign public key a source image's signature must verify against (trust before patching). */
  trustPublicKeyFile?: string;
  /**
   * Tests only (no PATCHING_ variable): check every API response against the OpenAPI document; one that
   * does not match it is answered 500 with what differs.
   */
  validateResponses?: boolean;
}

/** The settings whose values are secret: never printed, logged or returned. */
export const SECRET_KEYS: readonly (keyof Config)[] = [
  'robotSecret',
  'webhookSecret',
  'jobserviceSecret',
  'signingPassword',
];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Set by the release build (adapter/scripts/build.ts): the code runs as one bundle, dist/adapter/main.js. */
declare const HP_RELEASE_BUNDLE: boolean | undefined;
const MODULE_DIR = dirname(fileURLToPath(import.meta.url));
/** The built portal: beside the release bundle (dist/portal-plugin), or the repository's dist/ when run from source. */
const DEFAULT_PORTAL_DIR =
  typeof HP_RELEASE_BUNDLE !== 'undefined' && HP_RELEASE_BUNDLE
    ? resolve(MODULE_DIR, '../portal-plugin')
    : resolve(MODULE_DIR, '../../../dist/portal-plugin');

/**
 * NODE_ENV=production: an installed release. Nothing falls back to the local development stack then:
 * copa comes from PATCHING_COPA_PATH or PATH only, and PATCHING_HARBOR_URL must be set.
 */
export function isProduction(env: NodeJS.ProcessEnv): boolean {
  return env.NODE_ENV === 'production';
}

/**
 * Where a copa binary is looked for when PATCHING_COPA_PATH is not set: PATH, then (except in production)
 * the local stack's $HP_CACHE/bin.
 */
export function findCopa(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findTool('copa', env);
}

/** A tool of the patch toolchain (copa, cosign): PATH, then (except in production) $HP_CACHE/bin. */
export function findTool(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const cache = env.HP_CACHE ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'harbor-patching');
  const dirs = (env.PATH ?? '').split(delimiter).filter(Boolean);
  if (!isProduction(env)) dirs.push(join(cache, 'bin'));
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

interface Setting {
  key: keyof Config;
  env: string;
  kind: 'string' | 'list' | 'url' | 'baseUrl' | 'int' | 'bool' | 'seconds' | 'path' | 'databaseUrl';
  min?: number;
  max?: number;
  choices?: string[];
}

const SETTINGS: Setting[] = [
  { key: 'host', env: 'HOST', kind: 'string' },
  { key: 'port', env: 'PORT', kind: 'int', min: 0, max: 65535 },
  { key: 'harborUrl', env: 'HARBOR_URL', kind: 'url' },
  { key: 'registryHost', env: 'REGISTRY_HOST', kind: 'string' },
  { key: 'registryInsecure', env: 'REGISTRY_INSECURE', kind: 'bool' },
  { key: 'caFile', env: 'CA_FILE', kind: 'path' },
  { key: 'robotName', env: 'ROBOT_NAME', kind: 'string' },
  { key: 'robotSecret', env: 'ROBOT_SECRET', kind: 'string' },
  { key: 'dataDir', env: 'DATA_DIR', kind: 'path' },
  { key: 'databaseUrl', env: 'DATABASE_URL', kind: 'databaseUrl' },
  { key: 'databasePoolSize', env: 'DATABASE_POOL_SIZE', kind: 'int', min: 2, max: 200 },
  {
    key: 'databaseStatementTimeoutSeconds',
    env: 'DATABASE_STATEMENT_TIMEOUT',
    kind: 'seconds',
    min: 1,
    max: 3600,
  },
  { key: 'databaseSsl', env: 'DATABASE_SSL', kind: 'string', choices: ['disable', 'require', 'verify'] },
  { key: 'databaseCaFile', env: 'DATABASE_CA_FILE', kind: 'path' },
  { key: 'replicaId', env: 'REPLICA_ID', kind: 'string' },
  { key: 'leaseSeconds', env: 'LEASE_SECONDS', kind: 'seconds', min: 5, max: 600 },
  { key: 'buildkitAddr', env: 'BUILDKIT_ADDR', kind: 'list' },
  { key: 'buildkitCheckSeconds', env: 'BUILDKIT_CHECK_SECONDS', kind: 'int', min: 1, max: 3600 },
  { key: 'copaPath', env: 'COPA_PATH', kind: 'path' },
  { key: 'copaEolApiUrl', env: 'COPA_EOL_API_URL', kind: 'baseUrl' },
  { key: 'portalDir', env: 'PORTAL_DIR', kind: 'path' },
  { key: 'webhookSecret', env: 'WEBHOOK_SECRET', kind: 'string' },
  { key: 'jobserviceSecret', env: 'JOBSERVICE_SECRET', kind: 'string' },
  { key: 'concurrency', env: 'CONCURRENCY', kind: 'int', min: 1, max: 64 },
  { key: 'taskConcurrency', env: 'TASK_CONCURRENCY', kind: 'int', min: 1, max: 512 },
  { key: 'taskTimeoutSeconds', env: 'TASK_TIMEOUT', kind: 'seconds', min: 10, max: 86400 },
  { key: 'scanTimeoutSeconds', env: 'SCAN_TIMEOUT', kind: 'seconds', min: 5, max: 86400 },
  { key: 'authCacheSeconds', env: 'AUTH_CACHE_SECONDS', kind: 'int', min: 0, max: 300 },
  { key: 'healthCacheSeconds', env: 'HEALTH_CACHE_SECONDS', kind: 'int', min: 0, max: 300 },
  { key: 'harborTimeoutMs', env: 'HARBOR_TIMEOUT_MS', kind: 'int', min: 100, max: 600000 },
  {
    key: 'logLevel',
    env: 'LOG_LEVEL',
    kind: 'string',
    choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
  },
  { key: 'externalUrl', env: 'EXTERNAL_URL', kind: 'url' },
  { key: 'trustProxy', env: 'TRUST_PROXY', kind: 'bool' },
  { key: 'maxBodyBytes', env: 'MAX_BODY_BYTES', kind: 'int', min: 1024, max: 64 * 1024 * 1024 },
  { key: 'cosignPath', env: 'COSIGN_PATH', kind: 'path' },
  { key: 'signingKeyFile', env: 'SIGNING_KEY_FILE', kind: 'path' },
  { key: 'signingPasswordFile', env: 'SIGNING_PASSWORD_FILE', kind: 'path' },
  { key: 'signByDefault', env: 'SIGN_BY_DEFAULT', kind: 'bool' },
  { key: 'trustPublicKeyFile', env: 'TRUST_PUBLIC_KEY_FILE', kind: 'path' },
];

export const ENV_PREFIX = 'PATCHING_';

/** Defaults: everything works against the local stack without any setting. */
export function defaultConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  return {
    host: '127.0.0.1',
    port: 8480,
    harborUrl: 'http://127.0.0.1:8380',
    registryHost: '127.0.0.1:8380',
    registryInsecure: true,
    dataDir: resolve(cwd, '.data'),
    databasePoolSize: 10,
    databaseStatementTimeoutSeconds: 60,
    databaseSsl: 'disable',
    replicaId: hostname(),
    leaseSeconds: 30,
    buildkitAddr: 'unix:///run/buildkit/buildkitd.sock',
    buildkitCheckSeconds: 10,
    copaPath: findCopa(env) ?? 'copa',
    portalDir: DEFAULT_PORTAL_DIR,
    concurrency: 2,
    taskTimeoutSeconds: 1800,
    scanTimeoutSeconds: 600,
    authCacheSeconds: 10,
    healthCacheSeconds: 5,
    harborTimeoutMs: 15000,
    logLevel: 'info',
    trustProxy: false,
    maxBodyBytes: 1024 * 1024,
    cosignPath: findTool('cosign', env) ?? 'cosign',
    signByDefault: false,
  };
}

function parseValue(s: Setting, raw: unknown, source: string, cwd: string): { value?: unknown; problem?: string } {
  const shown = SECRET_KEYS.includes(s.key) ? '(hidden)' : JSON.stringify(raw);
  const bad = (what: string) => ({ problem: `${source}: ${what}, got ${shown}` });
  const text = typeof raw === 'string' ? raw.trim() : raw;
  switch (s.kind) {
    case 'string': {
      if (typeof text !== 'string' || text === '') return bad('must be a non-empty string');
      if (s.choices && !s.choices.includes(text)) return bad(`must be one of ${s.choices.join(', ')}`);
      return { value: text };
    }
    case 'list': {
      // The file may give a JSON array; the environment a comma-separated string.
      const items = Array.isArray(text) ? text : typeof text === 'string' ? text.split(',') : undefined;
      const parts = items?.map((x) => (typeof x === 'string' ? x.trim() : ''));
      if (!parts || parts.length === 0 || parts.some((x) => x === '')) return bad('must be a non-empty list');
      return { value: parts.join(',') };
    }
    case 'path': {
      if (typeof text !== 'string' || text === '') return bad('must be a path');
      return { value: isAbsolute(text) ? text : resolve(cwd, text) };
    }
    case 'url': {
      if (typeof text !== 'string') return bad('must be a URL like http://host:port');
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        return bad('must be a URL like http://host:port');
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return bad('must start with http:// or https://');
      if (url.pathname !== '/' || url.search || url.hash)
        return bad('must be an origin without a path (e.g. https://harbor.example.com)');
      if (url.username || url.password) return bad('must not contain credentials (use PATCHING_ROBOT_NAME/SECRET)');
      return { value: url.origin };
    }
    case 'databaseUrl': {
      // Never echo the value: it carries the database password.
      const hidden = { problem: `${source}: must be a URL like postgres://user:password@host:5432/database` };
      let url: URL | undefined;
      try {
        url = typeof text === 'string' ? new URL(text) : undefined;
      } catch {
        url = undefined;
      }
      if (!url) return hidden;
      if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
        return { problem: `${source}: only PostgreSQL is supported: the URL must start with postgres://` };
      }
      if (!url.hostname)
        return { problem: `${source}: the URL names no host (postgres://user:password@host:5432/database)` };
      if (url.pathname.length <= 1) return { problem: `${source}: the URL names no database (…@host:5432/database)` };
      return { value: text };
    }
    case 'baseUrl': {
      let url: URL | undefined;
      try {
        url = typeof text === 'string' ? new URL(text) : undefined;
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
        return bad('must be an http:// or https:// URL');
      if (url.username || url.password) return bad('must not contain credentials');
      return { value: url.href.replace(/\/+$/, '') };
    }
    case 'bool': {
      if (typeof text === 'boolean') return { value: text };
      if (typeof text === 'string' && ['true', '1', 'yes'].includes(text.toLowerCase())) return { value: true };
      if (typeof text === 'string' && ['false', '0', 'no'].includes(text.toLowerCase())) return { value: false };
      return bad('must be true or false');
    }
    case 'int':
    case 'seconds': {
      let n: number;
      if (typeof text === 'number') n = text;
      else if (typeof text === 'string' && s.kind === 'seconds' && /^[0-9]+(s|m|h)?$/.test(text)) {
        const unit = text.at(-1)!;
        const factor = unit === 'm' ? 60 : unit === 'h' ? 3600 : 1;
        n = Number.parseInt(text, 10) * factor;
      } else if (typeof text === 'string' && /^-?[0-9]+$/.test(text)) n = Number(text);
      else return bad(s.kind === 'seconds' ? 'must be a duration like 900, 900s, 15m or 1h' : 'must be an integer');
      if (!Number.isInteger(n)) return bad('must be an integer');
      if ((s.min !== undefined && n < s.min) || (s.max !== undefined && n > s.max)) {
        return bad(`must be between ${s.min} and ${s.max}${s.kind === 'seconds' ? ' seconds' : ''}`);
      }
      return { value: n };
    }
  }
}

/**
 * Reads and checks the configuration. Throws ConfigError listing every problem, one line each.
 * `overrides` (used by tests and startAdapter) win over the environment.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Partial<Config> = {},
  cwd = process.cwd(),
): Config {
  const problems: string[] = [];
  const config = defaultConfig(env, cwd) as unknown as Record<string, unknown>;
  const byFileKey = new Map(SETTINGS.map((s) => [s.env.toLowerCase(), s]));
  const explicit = new Set<keyof Config>();

  const file = env[`${ENV_PREFIX}CONFIG_FILE`];
  if (file) {
    const path = resolve(cwd, file);
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      problems.push(
        `${ENV_PREFIX}CONFIG_FILE: cannot read ${path} as JSON: ${err instanceof Error ? err.message : err}`,
      );
    }
    if (data !== undefined) {
      if (typeof data !== 'object' || data === null || Array.isArray(data)) {
        problems.push(`${ENV_PREFIX}CONFIG_FILE: ${path} must hold a JSON object`);
      } else {
        for (const [k, raw] of Object.entries(data)) {
          const s = byFileKey.get(k);
          if (!s) {
            problems.push(`${path}: unknown setting "${k}" (known: ${[...byFileKey.keys()].join(', ')})`);
            continue;
          }
          const r = parseValue(s, raw, `${path}: ${k}`, dirname(path));
          if (r.problem) problems.push(r.problem);
          else {
            config[s.key] = r.value;
            explicit.add(s.key);
          }
        }
      }
    }
  }

  const known = new Set([...SETTINGS.map((s) => ENV_PREFIX + s.env), `${ENV_PREFIX}CONFIG_FILE`]);
  for (const name of Object.keys(env)) {
    if (name.startsWith(ENV_PREFIX) && !known.has(name)) problems.push(`${name}: unknown setting (check the spelling)`);
  }
  for (const s of SETTINGS) {
    const raw = env[ENV_PREFIX + s.env];
    if (raw === undefined || raw === '') continue;
    const r = parseValue(s, raw, ENV_PREFIX + s.env, cwd);
    if (r.problem) problems.push(r.problem);
    else {
      config[s.key] = r.value;
      explicit.add(s.key);
    }
  }
  Object.assign(config, overrides);
  for (const k of Object.keys(overrides)) explicit.add(k as keyof Config);
  const c = config as unknown as Config;

  // The registry is Harbor's own /v2/: it follows the Harbor URL unless set explicitly.
  const harbor = new URL(c.harborUrl);
  if (!explicit.has('registryHost')) c.registryHost = harbor.host;
  if (!explicit.has('registryInsecure')) c.registryInsecure = harbor.protocol === 'http:';
  if (Boolean(c.robotName) !== Boolean(c.robotSecret)) {
    problems.push(`${ENV_PREFIX}ROBOT_NAME and ${ENV_PREFIX}ROBOT_SECRET must be set together`);
  }
  if (c.robotName && !c.robotName.includes('$')) {
    problems.push(
      `${ENV_PREFIX}ROBOT_NAME: a Harbor robot login looks like "robot$project+name" or "robot$name", got "${c.robotName}"`,
    );
  }
  if (c.caFile) {
    const problem = caFileProblem(c.caFile);
    if (problem) problems.push(`${ENV_PREFIX}CA_FILE: ${problem}`);
    else if (!hasModernFetch()) {
      problems.push(
        `${ENV_PREFIX}CA_FILE: needs Node.js 22.19 or newer (the release runs on 24), this is ${process.version}`,
      );
    }
  }
  if (isProduction(env)) {
    if (!explicit.has('harborUrl')) {
      problems.push(
        `${ENV_PREFIX}HARBOR_URL: must be set when NODE_ENV=production (Harbor's origin, e.g. https://harbor.example.com)`,
      );
    }
    if (!explicit.has('copaPath') && !findCopa(env)) {
      problems.push(`${ENV_PREFIX}COPA_PATH: copa is not on PATH; install copa or set ${ENV_PREFIX}COPA_PATH to it`);
    } else if (!copaAvailable(c)) {
      problems.push(`${ENV_PREFIX}COPA_PATH: ${c.copaPath} is not an executable file`);
    }
  }
  if (c.databaseCaFile) {
    const problem = caFileProblem(c.databaseCaFile);
    if (problem) problems.push(`${ENV_PREFIX}DATABASE_CA_FILE: ${problem}`);
    if (c.databaseSsl === 'disable' && explicit.has('databaseSsl'))
      problems.push(`${ENV_PREFIX}DATABASE_CA_FILE: set, but ${ENV_PREFIX}DATABASE_SSL is disable; use verify`);
  }
  if (!c.databaseUrl && (explicit.has('databaseCaFile') || explicit.has('databaseSsl'))) {
    problems.push(
      `${ENV_PREFIX}DATABASE_SSL/${ENV_PREFIX}DATABASE_CA_FILE: only used with ${ENV_PREFIX}DATABASE_URL, which is not set`,
    );
  }
  try {
    buildkitEndpoints(c.buildkitAddr, c.concurrency);
  } catch (err) {
    problems.push(`${ENV_PREFIX}BUILDKIT_ADDR: ${(err as Error).message}`);
  }
  problems.push(...signingProblems(c, explicit));
  if (problems.length > 0) throw new ConfigError(problems);
  return c;
}

/** One buildkitd copa may run against, and how many copa runs it takes at once. */
export interface BuildkitEndpoint {
  addr: string;
  slots: number;
}

const BUILDKIT_SCHEMES = /^(unix|tcp|ssh|docker-container|kube-pod|nerdctl-container|podman-container):\/\/./;

/**
 * The endpoints of PATCHING_BUILDKIT_ADDR: comma-separated addresses, each optionally followed by `=N`,
 * its number of copa slots (1-64). An address without `=N` gets `defaultSlots` (PATCHING_CONCURRENCY).
 * Throws an Error saying what is wrong with which entry.
 */
export function buildkitEndpoints(raw: string, defaultSlots: number): BuildkitEndpoint[] {
  const out: BuildkitEndpoint[] = [];
  for (const entry of raw.split(',').map((x) => x.trim())) {
    const m = /^(.*?)(?:=([^=/]*))?$/.exec(entry)!;
    const addr = m[1]!;
    if (!BUILDKIT_SCHEMES.test(addr)) {
      throw new Error(
        `each address must look like unix:///path/buildkitd.sock or tcp://host:port, optionally followed by =SLOTS, got "${entry}"`,
      );
    }
    let slots = defaultSlots;
    if (m[2] !== undefined) {
      slots = /^[0-9]+$/.test(m[2]) ? Number(m[2]) : NaN;
      if (!Number.isInteger(slots) || slots < 1 || slots > 64)
        throw new Error(`the slot count after "=" must be an integer from 1 to 64, got "${entry}"`);
    }
    if (out.some((e) => e.addr === addr)) throw new Error(`"${addr}" is listed twice`);
    out.push({ addr, slots });
  }
  if (out.length === 0) throw new Error('at least one address is needed');
  return out;
}

/**
 * Reads the signing key's password and checks the key with cosign (and the trusted public key): a key
 * that cannot sign stops the start, before any task pushes an image it then cannot sign.
 */
function signingProblems(c: Config, explicit: Set<keyof Config>): string[] {
  const problems: string[] = [];
  if (c.signingPasswordFile && !c.signingKeyFile) {
    problems.push(`${ENV_PREFIX}SIGNING_PASSWORD_FILE: set ${ENV_PREFIX}SIGNING_KEY_FILE too (the key it opens)`);
  }
  if (!explicit.has('signByDefault')) c.signByDefault = Boolean(c.signingKeyFile);
  else if (c.signByDefault && !c.signingKeyFile) {
    problems.push(`${ENV_PREFIX}SIGN_BY_DEFAULT: needs ${ENV_PREFIX}SIGNING_KEY_FILE (a cosign private key)`);
  }
  if (c.signingKeyFile) {
    let password = '';
    if (c.signingPasswordFile) {
      try {
        password = readPasswordFile(c.signingPasswordFile);
      } catch (err) {
        problems.push(
          `${ENV_PREFIX}SIGNING_PASSWORD_FILE: cannot read ${c.signingPasswordFile}: ${(err as Error).message}`,
        );
        return problems;
      }
    }
    c.signingPassword = password;
    const problem = signingKeyProblem(c.cosignPath, c.signingKeyFile, password);
    if (problem) problems.push(`${ENV_PREFIX}SIGNING_KEY_FILE: ${problem}`);
  }
  if (c.trustPublicKeyFile) {
    const problem = publicKeyProblem(c.trustPublicKeyFile);
    if (problem) problems.push(`${ENV_PREFIX}TRUST_PUBLIC_KEY_FILE: ${problem}`);
    else if (!existsSync(c.cosignPath) && !c.signingKeyFile) {
      problems.push(`${ENV_PREFIX}COSIGN_PATH: ${c.cosignPath} does not exist (trust before patching runs cosign)`);
    }
  }
  return problems;
}

/** Why a CA file cannot be used (unreadable, no PEM certificate, a broken one), or undefined when it can. */
function caFileProblem(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return `cannot read ${path}: ${(err as Error).message}`;
  }
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) return `${path} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`;
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch (err) {
      return `certificate ${i + 1} in ${path} cannot be read: ${(err as Error).message}`;
    }
  }
  return undefined;
}

/** The configuration with secrets replaced, safe to log. */
export function describeConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const k of SECRET_KEYS) if (out[k] !== undefined) out[k] = '[hidden]';
  if (config.databaseUrl) out.databaseUrl = redactUrl(config.databaseUrl);
  return out;
}

/** Whether the copa binary in the configuration exists and is executable. */
export function copaAvailable(config: Pick<Config, 'copaPath'>): boolean {
  if (!existsSync(config.copaPath)) return false;
  try {
    accessSync(config.copaPath, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A URL with its password replaced (the database URL in logs). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[hidden]';
  }
}
