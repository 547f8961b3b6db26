/**
 * Several real adapter processes (`node --import tsx adapter/src/main.ts`, as process.test.ts starts one) sharing
 * a fresh PostgreSQL database (made here, dropped by `close`), each with its own data dir and replica id, against
 * one Harbor stand-in, the local registry and the stack's two buildkitds (the second one is started the way
 * e2e/stack/stack.sh does when it is not running). A replica can be killed with SIGKILL and started again under
 * the same id and data dir.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { buildctlPath, buildkitAddr, copaPath, stateDir } from '@harbor-patching/oci-testkit';
import { emptyPostgresDatabase } from '../store/databases';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const MAIN = join(ROOT, 'adapter/src/main.ts');

/** The stack's second buildkitd (HP_BUILDKITDS=2 in e2e/scripts/env.sh). */
export const secondBuildkitAddr = `unix://${join(stateDir, 'buildkit-2', 'buildkitd.sock')}`;

function buildkitAnswers(addr: string): boolean {
  try {
    return execFileSync(buildctlPath, ['--addr', addr, 'debug', 'workers'], { timeout: 15_000 }).length > 0;
  } catch {
    return false;
  }
}

/**
 * Both buildkitd addresses; starts the second buildkitd through stack.sh when it does not answer (a no-op for
 * what already runs: the registry and the first buildkitd are left alone).
 */
export function twoBuildkitds(): [string, string] {
  if (!buildkitAnswers(secondBuildkitAddr)) {
    execFileSync('bash', [join(ROOT, 'e2e/stack/stack.sh'), 'start'], {
      env: { ...process.env, HP_BUILDKITDS: '2' },
      stdio: ['ignore', 'inherit', 'inherit'],
      timeout: 180_000,
    });
  }
  return [buildkitAddr, secondBuildkitAddr];
}

function settingsFree(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PATCHING_')));
}

export interface Replica {
  readonly id: string;
  readonly dataDir: string;
  /** Base URL of the running process (a new port after each start). */
  url: string;
  pid: number;
  /** Everything the process wrote (all its starts). */
  output(): string;
  running(): boolean;
  /** SIGKILL: no shutdown, its copa processes are left running. */
  kill9(): Promise<void>;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
  /** Starts it again (same id, data dir and settings). */
  start(): Promise<void>;
}

function startReplica(id: string, dataDir: string, env: Record<string, string>): Replica {
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let out = '';
  let alive = false;
  const replica: Replica = {
    id,
    dataDir,
    url: '',
    pid: 0,
    output: () => out,
    running: () => alive,
    async start() {
      const from = out.length;
      child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
        cwd: ROOT,
        env: { ...settingsFree(), PATCHING_PORT: '0', PATCHING_DATA_DIR: dataDir, PATCHING_REPLICA_ID: id, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      alive = true;
      child.stdout!.on('data', (d) => (out += d));
      child.stderr!.on('data', (d) => (out += d));
      exited = new Promise((r) =>
        child!.once('exit', () => {
          alive = false;
          r();
        }),
      );
      replica.pid = child.pid!;
      const until = Date.now() + 120_000;
      for (;;) {
        const m = /"url":"(http:\/\/[^"]+)".*"msg":"adapter started"/.exec(out.slice(from));
        if (m) {
          replica.url = m[1];
          return;
        }
        if (!alive) throw new Error(`${id} exited during start-up:\n${out.slice(from).slice(-3000)}`);
        if (Date.now() > until) throw new Error(`${id} did not start within 120 s:\n${out.slice(from).slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async kill9() {
      if (!alive) return;
      child!.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!alive) return;
      child!.kill('SIGTERM');
      await exited;
    },
  };
  return replica;
}

export interface ReplicaSet {
  replicas: Replica[];
  /** The shared database (for assertions straight on the tables). */
  db: pg.Pool;
  databaseUrl: string;
  close(): Promise<void>;
}

/**
 * `count` replicas (replica-1..N) on a fresh PostgreSQL database (the first one started alone: it migrates).
 * `env` holds the PATCHING_* settings they share (Harbor URL, robot, secrets, buildkitd, lease...).
 */
export async function startReplicas(count: number, env: Record<string, string>): Promise<ReplicaSet> {
  const database = await emptyPostgresDatabase();
  const dirs: string[] = [];
  const replicas: Replica[] = [];
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  const close = async () => {
    await Promise.all(replicas.map((r) => r.stop().catch(() => undefined)));
    await pool.end().catch(() => undefined);
    await database.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  };
  try {
    for (let n = 1; n <= count; n++) {
      const dir = mkdtempSync(join(tmpdir(), `hp-replica-${n}-`));
      dirs.push(dir);
      const r = startReplica(`replica-${n}`, dir, {
        PATCHING_DATABASE_URL: database.url,
        PATCHING_COPA_PATH: copaPath,
        ...env,
      });
      replicas.push(r);
    }
    // The first one migrates the database; the others then start side by side.
    await replicas[0].start();
    await Promise.all(replicas.slice(1).map((r) => r.start()));
  } catch (err) {
    await close();
    throw err;
  }
  return { replicas, db: pool, databaseUrl: database.url, close };
}

/** Parent pid of a process, or undefined when it is gone. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Pids of running copa processes (`copa patch ...`), each with its parent. */
export function copaProcesses(): { pid: number; ppid: number; command: string }[] {
  const out: { pid: number; ppid: number; command: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const command = commandOf(pid);
    if (!/(^|\/)copa(cetic)? patch /.test(command) && !command.startsWith(`${copaPath} patch `)) continue;
    const ppid = parentOf(pid);
    if (ppid !== undefined) out.push({ pid, ppid, command });
  }
  return out;
}

/** The copa processes this replica's process started (its children). */
export function copaChildrenOf(replica: Replica): number[] {
  return copaProcesses()
    .filter((p) => p.ppid === replica.pid)
    .map((p) => p.pid);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs: number,
  everyMs = 250,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false && v !== null) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A JSON call to one replica's API as `user` (Basic auth). */
export async function api(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  user = 'alice',
): Promise<{ status: number; headers: Headers; body: any }> {
  const res = await fetch(`${base}/patching/api/v1${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${user}:Harbor12345`).toString('base64')}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body: parsed };
}
