/**
 * Replicas sharing one PostgreSQL store: two patch engines with different replica ids in this process. A task
 * whose replica stopped renewing its lease is taken over (re-queued before copa, INTERRUPTED once copa may have
 * started); start-up recovery leaves another live replica's tasks alone; a stop asked for on one replica reaches
 * the task running on the other; a replica that lost a task's lease stops its run; copa processes recorded in the
 * data directory are killed at start. No copa runs; the tasks that run wait for Harbor's scan (registry of the stack).
 */
import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskProgress } from '../../src/model/execution';
import type { ArtifactRef } from '../../src/jobs/engine';
import { MIGRATIONS } from '../../src/store/migrations';
import { SqlTaskQueue } from '../../src/store/queue';
import { createPatchEngine, type PatchEngineParts, type PatchSettings } from '../../src/wiring';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from '../store/databases';
import { ROBOT, startSim, type Sim } from '../patch/harness';
import { pushTinyImage, stack, unique, waitFor } from '../patch/helpers';

let sim: Sim;
let db: TestDatabase;
let queue: SqlTaskQueue;
const replicas: (PatchEngineParts & { dataDir: string; errors: unknown[] })[] = [];

before(async () => {
  sim = await startSim();
  db = await postgresDatabase(MIGRATIONS);
  queue = new SqlTaskQueue(db.sql);
});

beforeEach(() => db.reset());

afterEach(async () => {
  for (const r of replicas.splice(0)) {
    await r.engine.close();
    rmSync(r.dataDir, { recursive: true, force: true });
  }
});

after(async () => {
  await db?.close();
  await sim?.close();
});

/** A patch engine on the shared database (or `on`), named `id`, with its own data directory (not started). */
function replica(id: string, o: Partial<PatchSettings> = {}, on: TestDatabase = db) {
  const dataDir = mkdtempSync(join(tmpdir(), `hp-replica-${id}-`));
  const parts = createPatchEngine(on.sql, {
    harborUrl: sim.url,
    robotName: ROBOT.name,
    robotSecret: ROBOT.secret,
    dataDir,
    buildkitAddr: stack.buildkitAddr,
    copaPath: stack.copaPath,
    concurrency: 2,
    taskTimeoutSeconds: 600,
    scanTimeoutSeconds: 60,
    replicaId: id,
    leaseSeconds: 2,
    ...o,
  });
  const errors: unknown[] = [];
  parts.engine.on('error', (err) => errors.push(err));
  const r = { ...parts, dataDir, errors };
  replicas.push(r);
  return r;
}

const fakeArtifact = (): ArtifactRef => ({
  repository: `${unique('lease')}/app`,
  tag: '1',
  digest: `sha256:${'0'.repeat(56)}${Math.floor(Math.random() * 0xffffffff)
    .toString(16)
    .padStart(8, '0')}`,
});

/**
 * A task claimed under `owner`'s lease (lapsed when `expiresInMs` < 0) that reached `progress`, as a replica
 * that runs it (or ran it and died) leaves it.
 */
async function claimedTask(
  r: ReturnType<typeof replica>,
  owner: string | null,
  expiresInMs: number,
  fields: { progress?: TaskProgress; copa_pid?: number; copa_seconds?: number; attempt?: number } = {},
  on: SqlTaskQueue = queue,
) {
  const execution = await r.engine.createExecution({ project: 'library', trigger: 'ADHOC' });
  const task = await r.engine.addTask(execution.id, fakeArtifact());
  const claimed = await on.claimNext(
    Date.now(),
    owner === null ? undefined : { owner, expiresAt: Date.now() + expiresInMs },
  );
  assert.equal(claimed?.id, task.id);
  await r.store.updateTask(task.id, fields);
  return task.id;
}

test('a lapsed lease is taken over: re-queued before copa, INTERRUPTED once copa may have started, INTERRUPTED after the last attempt', async () => {
  const b = replica('replica-b');
  const beforeCopa = await claimedTask(b, 'dead', -1000, { progress: { stage: 'Scanning original', percent: 5 } });
  const copaStage = await claimedTask(b, 'dead', -1000, { progress: { stage: 'Starting copa', percent: 15 } });
  const copaPid = await claimedTask(b, 'dead', -1000, {
    progress: { stage: 'Reading OS release', percent: 15 },
    copa_pid: 999_999,
  });
  const lastAttempt = await claimedTask(b, 'dead', -1000, {
    progress: { stage: 'Resolving artifact', percent: 0 },
    attempt: 3,
  });
  const live = await claimedTask(b, 'replica-a', 60_000, { progress: { stage: 'Scanning original', percent: 5 } });

  await b.engine.leases.watch();

  const requeued = (await b.store.getTask(beforeCopa))!;
  assert.equal(requeued.status, 'Pending');
  assert.equal(requeued.progress, null);
  assert.equal(requeued.attempt, 1, 'the attempt counter stays');
  assert.deepEqual(await queue.leaseOf(beforeCopa), { owner: null, expiresAt: null, stopRequested: false });
  assert.ok((await queue.queuedTaskIds()).includes(beforeCopa));
  const log = await b.engine.logs.read(beforeCopa);
  assert.match(log, /lease of replica dead on this task lapsed; replica replica-b took it over/);
  assert.match(log, /goes back to the queue/);

  for (const id of [copaStage, copaPid, lastAttempt]) {
    const t = (await b.store.getTask(id))!;
    assert.equal(t.status, 'Error', `task ${id}`);
    assert.equal(t.reason, 'INTERRUPTED');
    assert.match(t.status_message, /restarted/);
    assert.equal(t.copa_pid, null);
  }
  assert.match(await b.engine.logs.read(lastAttempt), /attempt 3 of 3 was its last/);

  const untouched = (await b.store.getTask(live))!;
  assert.equal(untouched.status, 'Running');
  assert.equal((await queue.leaseOf(live))?.owner, 'replica-a');
  assert.deepEqual(b.errors, []);
});

test("a replica that stops renewing: a started replica's watcher ends its task at the copa stage", async () => {
  const b = replica('replica-b', { leaseSeconds: 1 });
  const id = await claimedTask(b, 'replica-a', 500, { progress: { stage: 'Patching', percent: 40 }, copa_pid: 4242 });
  await b.engine.start();
  const t = await b.engine.waitForTask(id, 60_000);
  assert.equal(t.status, 'Error');
  assert.equal(t.reason, 'INTERRUPTED');
  assert.match(
    await b.engine.logs.read(id),
    /lease of replica replica-a on this task lapsed; replica replica-b took it over/,
  );
});

test("start-up recovery ends or re-queues this replica's own Running tasks only, never another live replica's", async () => {
  const b = replica('replica-b');
  const othersLive = await claimedTask(b, 'replica-a', 60_000, { progress: { stage: 'Starting copa', percent: 15 } });
  const othersLapsed = await claimedTask(b, 'replica-c', -1000, { progress: { stage: 'Patching', percent: 40 } });
  const ownBeforeCopa = await claimedTask(b, 'replica-b', 60_000, {
    progress: { stage: 'Scanning original', percent: 5 },
  });
  const ownCopa = await claimedTask(b, 'replica-b', 60_000, {
    copa_seconds: 12,
    progress: { stage: 'Verifying pushed image', percent: 85 },
  });
  const legacy = await claimedTask(b, null, 0, { progress: { stage: 'Patching', percent: 40 } });

  await b.engine.recover();

  assert.equal((await b.store.getTask(othersLive))!.status, 'Running');
  assert.equal((await queue.leaseOf(othersLive))?.owner, 'replica-a');
  assert.equal((await b.store.getTask(othersLapsed))!.status, 'Running', "a lapsed lease is the watcher's");
  assert.equal((await b.store.getTask(ownBeforeCopa))!.status, 'Pending');
  assert.match(await b.engine.logs.read(ownBeforeCopa), /the adapter stopped while this task was running/);
  assert.equal((await b.store.getTask(ownCopa))!.reason, 'INTERRUPTED');
  assert.equal((await b.store.getTask(legacy))!.reason, 'INTERRUPTED', 'claimed before leases existed');
});

/**
 * Replica A, started, with a tiny image pushed for it; `taskWaitingForScan` patches it and resolves once the task
 * waits for Harbor's scan (held long by the caller's scan delay).
 */
async function replicaWithTaskInScan(name: string) {
  const a = replica('replica-a', { leaseSeconds: 5 });
  await a.engine.start();
  const repository = `${unique(name)}/app`;
  const digest = await pushTinyImage(`library/${repository}`, '1', { 'hello.txt': `${name}\n` });
  const taskWaitingForScan = async () => {
    const { task } = await a.engine.patchArtifact({ project: 'library', artifact: { repository, tag: '1', digest } });
    await waitFor(
      'the task to wait for its scan on replica A',
      async () => (await a.store.getTask(task.id))?.progress?.stage === 'Scanning original' || undefined,
      60_000,
      100,
    );
    return task;
  };
  return { ...a, taskWaitingForScan };
}

test('a stop asked for on replica B reaches the task running on replica A', async () => {
  const a = await replicaWithTaskInScan('stop-across');
  // The task waits for Harbor's scan long enough to be stopped from the other replica.
  sim.setScanDelay(60_000);
  try {
    const task = await a.taskWaitingForScan();
    const b = replica('replica-b', { leaseSeconds: 5 });
    await b.engine.start();
    const answer = await b.engine.stopTask(task.id);
    assert.equal(answer?.status, 'Running', 'replica B does not run it: it asks replica A');
    assert.equal((await queue.leaseOf(task.id))?.stopRequested, true);
    const final = await a.engine.waitForTask(task.id, 60_000);
    assert.equal(final.status, 'Stopped');
    assert.equal(final.reason, 'STOPPED');
    assert.equal(final.status_message, 'Stopped on request.');
    assert.deepEqual([...a.errors, ...b.errors], []);
  } finally {
    sim.setScanDelay(200);
  }
});

test('a replica whose task was taken over meanwhile (its renewals failed) stops its run and leaves the task alone', async () => {
  const a = await replicaWithTaskInScan('lease-lost');
  sim.setScanDelay(60_000);
  try {
    const task = await a.taskWaitingForScan();
    // As takeOverLease leaves it after replica A's lease lapsed.
    await db.sql.db
      .updateTable('patch_tasks')
      .set({ lease_owner: 'replica-b', lease_expires_at: Date.now() + 60_000 })
      .where('id', '=', task.id)
      .execute();
    await waitFor('replica A to let go of the task', () => a.engine.activeCount === 0 || undefined, 60_000, 100);
    const t = (await a.store.getTask(task.id))!;
    assert.equal(t.status, 'Running', "the task is replica B's to end or re-queue");
    assert.equal((await queue.leaseOf(task.id))?.owner, 'replica-b');
    assert.match(await a.engine.logs.read(task.id), /replica replica-a lost its lease on this task/);
  } finally {
    sim.setScanDelay(200);
  }
});

test("a replica that loses the lease just before writing the task's end writes nothing", async () => {
  const a = await replicaWithTaskInScan('lease-lost-at-end');
  const task = await a.taskWaitingForScan();
  // Replica B takes the task over between replica A's last look at its lease and A's write of the end.
  const updateTask = a.store.updateTask.bind(a.store);
  a.store.updateTask = async (id, fields, o) => {
    if (id === task.id && fields.end_time !== undefined) {
      await db.sql.db
        .updateTable('patch_tasks')
        .set({ lease_owner: 'replica-b', lease_expires_at: Date.now() + 60_000 })
        .where('id', '=', id)
        .execute();
    }
    return updateTask(id, fields, o);
  };
  await waitFor('replica A to let go of the task', () => a.engine.activeCount === 0 || undefined, 60_000, 100);
  const t = (await a.store.getTask(task.id))!;
  assert.deepEqual([t.status, t.end_time], ['Running', null], "the task is replica B's to end or re-queue");
  assert.equal((await queue.leaseOf(task.id))?.owner, 'replica-b');
  assert.match(await a.engine.logs.read(task.id), /replica replica-a lost its lease on this task/);
});

test('a stop of a Running task whose lease lapsed (or has none) finishes it at once', async () => {
  const b = replica('replica-b');
  const lapsed = await claimedTask(b, 'dead', -1000, { progress: { stage: 'Scanning original', percent: 5 } });
  const noOwner = await claimedTask(b, null, 0);
  for (const id of [lapsed, noOwner]) {
    const t = await b.engine.stopTask(id);
    assert.equal(t?.status, 'Stopped', `task ${id}`);
    assert.equal(t?.reason, 'STOPPED');
  }
});

test('a copa process recorded in the data directory is killed at start, before the work dirs go; other pids are left', async () => {
  const b = replica('replica-b');
  const fakeCopa = spawn('/bin/sleep', ['600'], {
    argv0: join(b.dataDir, 'bin', 'copa'),
    detached: true,
    stdio: 'ignore',
  });
  const other = spawn('/bin/sleep', ['600'], { detached: true, stdio: 'ignore' });
  try {
    // Log lines belong to a stored task; this one ended long ago, its copa outlived the process that ran it.
    const execution = await b.engine.createExecution({ project: 'library', trigger: 'ADHOC' });
    const id = (await b.engine.addTask(execution.id, fakeArtifact(), { enqueue: false })).id;
    const gone = new Promise((resolve) => fakeCopa.once('exit', resolve));
    assert.equal(readFileSync(`/proc/${fakeCopa.pid}/cmdline`, 'utf8').split('\0')[0], join(b.dataDir, 'bin', 'copa'));
    mkdirSync(join(b.dataDir, 'copa-pids'), { recursive: true });
    writeFileSync(join(b.dataDir, 'copa-pids', String(id)), `${fakeCopa.pid}\n`);
    writeFileSync(join(b.dataDir, 'copa-pids', String(id + 1)), `${other.pid}\n`);
    mkdirSync(join(b.dataDir, 'work', `task-${id}`), { recursive: true });

    await b.engine.recover();

    await gone;
    assert.equal(fakeCopa.exitCode ?? fakeCopa.signalCode, 'SIGTERM');
    assert.equal(other.exitCode, null, 'not a copa process: left running');
    assert.ok(!existsSync(join(b.dataDir, 'copa-pids', String(id))));
    assert.ok(!existsSync(join(b.dataDir, 'work', `task-${id}`)));
    assert.match(await b.engine.logs.read(id), new RegExp(`killing copa process group ${fakeCopa.pid}`));
  } finally {
    fakeCopa.kill('SIGKILL');
    other.kill('SIGKILL');
  }
});

test("SQLite (one process): every Running task is this process's at start, whatever replica name claimed it", async () => {
  const sqlite = await sqliteDatabase(MIGRATIONS);
  try {
    const q = new SqlTaskQueue(sqlite.sql);
    const r = replica('new-host', {}, sqlite);
    const beforeCopa = await claimedTask(
      r,
      'old-host',
      60_000,
      { progress: { stage: 'Resolving artifact', percent: 0 } },
      q,
    );
    const copa = await claimedTask(r, 'old-host', 60_000, { progress: { stage: 'Starting copa', percent: 15 } }, q);
    await r.engine.recover();
    assert.equal((await r.store.getTask(beforeCopa))!.status, 'Pending');
    assert.deepEqual(await q.queuedTaskIds(), [beforeCopa]);
    assert.equal((await r.store.getTask(copa))!.reason, 'INTERRUPTED');
  } finally {
    await sqlite.close();
  }
});
