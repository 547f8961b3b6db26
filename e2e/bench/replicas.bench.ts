/**
 * Replicas on PostgreSQL. Prints numbers only (no pass/fail):
 *  1. The task queue with 1 and with 3 adapter processes (replica-1..N, each its own process, one fresh PostgreSQL
 *     database per run): `--tasks` ad-hoc patch requests at once for as many small images without a package
 *     database, spread over the replicas. Each task ends NOTHING_FIXABLE after Harbor's scan, before copa, so the
 *     numbers are the queue's and the task pipeline's, not copa's. Claim latency is a task's start minus its
 *     creation (p50/p99); tasks/s is the tasks over the time from the first creation to the last end.
 *  2. API list latency (p50/p99 at fixed rates) with `--executions` executions of `--per` tasks each (default
 *     10,000 x 10 = 100,000), seeded as bench:api seeds them, on SQLite and on PostgreSQL (the same rows copied).
 * The Harbor stand-in runs in this process over the local registry; adapters run under tsx.
 *
 *   npm run bench:replicas [-- --tasks 60 --replicas 1,3 --executions 10000 --per 10 --seconds 3 --rates 100,250]
 *   (--replicas= skips the queue part)
 *   PostgreSQL: PATCHING_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres); databases made
 *   here are dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MIGRATIONS, migratePostgres, openDatabase, postgresSql } from '@harbor-patching/adapter';
import { serviceRobot, startHarborSim, type HarborSim } from '@harbor-patching/harbor-sim';
import {
  advisoriesPath,
  buildkitAddr,
  copaPath,
  RegistryClient,
  registryUrl,
  tinyImage,
} from '@harbor-patching/oci-testkit';
import { startAdapterProcess, type AdapterProcess } from './lib/adapter-process';
import { BASIC, drive, seed } from './lib/api-load';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '60' },
    replicas: { type: 'string', default: '1,3' },
    executions: { type: 'string', default: '10000' },
    per: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '3' },
    rates: { type: 'string', default: '100,250' },
  },
});
const ADMIN_URL = process.env.PATCHING_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ROBOT = { name: 'robot$bench', secret: `Bench-${randomBytes(6).toString('hex')}` };
const admin = postgresSql({ url: ADMIN_URL, poolSize: 1 });
const made: string[] = [];
const dirs: string[] = [];

async function newDatabase(label: string): Promise<string> {
  const name = `hp_bench_${label}_${randomBytes(4).toString('hex')}`;
  await admin.pool.query(`CREATE DATABASE ${name}`);
  made.push(name);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

const quantile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
};
const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : '-');

/** The settings of every adapter here; the queue runs also get the stack's copa and buildkitd (`patching`). */
function adapterSettings(sim: HarborSim, dataDir: string, patching = false): Record<string, string> {
  return {
    PATCHING_HARBOR_URL: sim.url,
    PATCHING_ROBOT_NAME: ROBOT.name,
    PATCHING_ROBOT_SECRET: ROBOT.secret,
    PATCHING_DATA_DIR: dataDir,
    PATCHING_AUTH_CACHE_SECONDS: '300',
    PATCHING_COPA_PATH: copaPath,
    ...(patching ? { PATCHING_BUILDKIT_ADDR: buildkitAddr } : {}),
  };
}

/** One queue run: `replicas` processes, `count` ad-hoc requests at once; prints one line. */
async function queueRun(sim: HarborSim, registry: RegistryClient, replicas: number, count: number): Promise<void> {
  const project = `bench-q${replicas}-${randomBytes(3).toString('hex')}`;
  sim.addProject(project, { owner: 'admin', autoScan: false });
  // Distinct digests (the stand-in keeps scan results per digest): the run's name is in every image.
  for (let i = 0; i < count; i++)
    await registry.mustPushImage(`${project}/app-${i}`, '1.0', await tinyImage({ 'hello.txt': `${project} ${i}\n` }));
  const url = await newDatabase(`q${replicas}`);
  const db = postgresSql({ url, poolSize: 2 });
  const adapters: AdapterProcess[] = [];
  try {
    for (let n = 1; n <= replicas; n++)
      adapters.push(
        await startAdapterProcess(
          {
            ...adapterSettings(sim, tempDir(`hp-bench-replica-${n}-`), true),
            PATCHING_DATABASE_URL: url,
            PATCHING_REPLICA_ID: `replica-${n}`,
          },
          { compiled: false },
        ),
      );
    const answers = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        fetch(
          `${adapters[i % replicas].url}/patching/api/v1/projects/${project}/repositories/app-${i}/artifacts/1.0/patch`,
          { method: 'POST', headers: { authorization: BASIC, 'content-type': 'application/json' }, body: '{}' },
        ).then(async (r) => ({ status: r.status, text: await r.text() })),
      ),
    );
    const refused = answers.filter((a) => a.status !== 202);
    if (refused.length)
      throw new Error(`${refused.length} requests refused, e.g. ${refused[0].status} ${refused[0].text}`);
    const until = Date.now() + 15 * 60_000;
    for (;;) {
      const { rows } = await db.pool.query<{ n: string }>(
        "SELECT count(*) AS n FROM patch_tasks WHERE status IN ('Pending', 'Running')",
      );
      if (Number(rows[0].n) === 0) break;
      if (Date.now() > until) throw new Error('tasks still running after 15 minutes');
      await new Promise((r) => setTimeout(r, 250));
    }
    const { rows } = await db.pool.query<{
      creation_time: string;
      start_time: string | null;
      end_time: string | null;
      reason: string | null;
      lease_owner: string | null;
    }>('SELECT creation_time, start_time, end_time, reason, lease_owner FROM patch_tasks');
    const claims = rows.filter((r) => r.start_time).map((r) => Date.parse(r.start_time!) - Date.parse(r.creation_time));
    const first = Math.min(...rows.map((r) => Date.parse(r.creation_time)));
    const last = Math.max(...rows.map((r) => Date.parse(r.end_time ?? r.creation_time)));
    const reasons = new Map<string, number>();
    for (const r of rows) reasons.set(r.reason ?? '-', (reasons.get(r.reason ?? '-') ?? 0) + 1);
    const owners = new Set(rows.map((r) => r.lease_owner).filter(Boolean));
    console.log(
      `  ${String(replicas).padStart(8)}  ${String(rows.length).padStart(5)}  ${ms(quantile(claims, 0.5)).padStart(9)}  ${ms(quantile(claims, 0.99)).padStart(9)}  ${((rows.length * 1000) / (last - first)).toFixed(1).padStart(7)}  ${[...reasons].map(([k, v]) => `${k} ${v}`).join(', ')}${owners.size ? ` (claimed by ${owners.size} replica${owners.size === 1 ? '' : 's'})` : ''}`,
    );
  } finally {
    await Promise.all(adapters.map((a) => a.close()));
    await db.db.destroy();
  }
}

/** Copies the seeded executions and tasks of a SQLite data dir into a migrated PostgreSQL database. */
async function copyToPostgres(dataDir: string, url: string): Promise<number> {
  const started = performance.now();
  const lite = openDatabase(join(dataDir, 'patching.db'));
  const pgsql = postgresSql({ url, poolSize: 1 });
  try {
    await migratePostgres(pgsql.pool, MIGRATIONS);
    for (const table of ['patch_executions', 'patch_tasks']) {
      const columns = (lite.prepare(`SELECT * FROM ${table} LIMIT 1`).columns() as { name: string }[]).map(
        (c) => c.name,
      );
      const batch = Math.floor(30_000 / columns.length);
      const read = lite.prepare(`SELECT * FROM ${table} ORDER BY id LIMIT ? OFFSET ?`).raw(true);
      for (let offset = 0; ; offset += batch) {
        const rows = read.all(batch, offset) as unknown[][];
        if (rows.length === 0) break;
        const params: unknown[] = [];
        const tuples = rows.map((row) => {
          const marks = row.map((v) => {
            params.push(v);
            return `$${params.length}`;
          });
          return `(${marks.join(', ')})`;
        });
        await pgsql.pool.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, params);
      }
      await pgsql.pool.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), (SELECT max(id) FROM ${table}))`);
    }
    await pgsql.pool.query('ANALYZE');
  } finally {
    lite.close();
    await pgsql.db.destroy();
  }
  return performance.now() - started;
}

async function apiLatency(sim: HarborSim): Promise<void> {
  const executions = Number(values.executions);
  const per = Number(values.per);
  const seconds = Number(values.seconds);
  const rates = values.rates!.split(',').map(Number);
  const dataDir = tempDir('hp-bench-replicas-api-');
  const seedMs = seed(dataDir, executions, per);
  const url = await newDatabase('api');
  const copyMs = await copyToPostgres(dataDir, url);
  console.log(
    `\nAPI list latency, ${executions} executions x ${per} tasks (SQLite seeded in ${(seedMs / 1000).toFixed(1)} s, copied to PostgreSQL in ${(copyMs / 1000).toFixed(1)} s)`,
  );
  const base = '/patching/api/v1/projects/library';
  const endpoints = [
    { name: 'list executions', path: (i: number) => `${base}/executions?page=${(i % 20) + 1}&page_size=15` },
    {
      name: "list an execution's tasks",
      path: (i: number) => `${base}/executions/${executions - (i % 1000)}/tasks?page=1&page_size=15`,
    },
  ];
  console.log('  store       endpoint                     rate/s  achieved  p50 ms  p99 ms  errors');
  for (const store of ['SQLite', 'PostgreSQL'] as const) {
    const adapter = await startAdapterProcess(
      { ...adapterSettings(sim, dataDir), ...(store === 'PostgreSQL' ? { PATCHING_DATABASE_URL: url } : {}) },
      { compiled: false },
    );
    try {
      for (const e of endpoints) {
        const warm = await fetch(adapter.url + e.path(0), { headers: { authorization: BASIC } });
        if (warm.status !== 200) throw new Error(`${store} ${e.name}: ${warm.status} ${await warm.text()}`);
        await drive(adapter.url, e.path, 100, 1); // warm-up
        for (const rate of rates) {
          const r = await drive(adapter.url, e.path, rate, seconds);
          console.log(
            `  ${store.padEnd(10)}  ${e.name.padEnd(27)}  ${String(rate).padStart(6)}  ${r.achieved.toFixed(0).padStart(8)}  ${r.p50.toFixed(1).padStart(6)}  ${r.p99.toFixed(1).padStart(6)}  ${String(r.errors).padStart(6)}`,
          );
        }
      }
    } finally {
      await adapter.close();
    }
  }
}

async function main(): Promise<void> {
  const sim = await startHarborSim({
    port: 0,
    registryUrl,
    // The images here have no packages: the advisory file is not needed (used when the fixtures made it).
    advisoriesFile: existsSync(advisoriesPath) ? advisoriesPath : undefined,
    seed: 'empty',
    scanDelayMs: 0,
    robots: [serviceRobot(ROBOT.name, ROBOT.secret)],
  });
  // Synthetic (scale mode): its repository count comes from memory, not from the registry (as in bench:api).
  sim.addProject('library', { owner: 'admin' }).synthetic = true;
  const registry = new RegistryClient(registryUrl);
  try {
    const count = Number(values.tasks);
    console.log(`task queue on PostgreSQL: ${count} ad-hoc patches at once, each ending before copa`);
    console.log('  replicas  tasks  claim p50  claim p99  tasks/s  outcomes');
    for (const n of values.replicas!.split(',').filter(Boolean).map(Number)) await queueRun(sim, registry, n, count);
    await apiLatency(sim);
  } finally {
    await sim.close();
    for (const name of made)
      await admin.pool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.db.destroy();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

await main();
