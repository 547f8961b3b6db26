/**
 * The stores on both engines, the same cases: policies (names unique per project, paging, name filter),
 * executions and tasks, the queue (claims in order, one task per source artifact at a time, backoff),
 * schedules, webhook events and jobservice jobs. On PostgreSQL every migration step applies to an empty database.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_PATCH_OPTIONS } from '../../src/model/execution';
import { SqlExecutionStore, UnchangedReads } from '../../src/store/executions';
import { migrate, openDatabase, sqliteSql } from '../../src/store/db';
import { SqlJobStore } from '../../src/store/jobs';
import { MIGRATIONS } from '../../src/store/migrations';
import { PolicyNameTakenError, SqlPolicyStore } from '../../src/store/policies';
import { SqlPolicyRunStore } from '../../src/store/policy-runs';
import { SqlTaskQueue } from '../../src/store/queue';
import { SqlScheduleStore } from '../../src/store/schedules';
import { SqlWebhookEventStore } from '../../src/store/webhook-events';
import { ENGINES, policySpec, type TestDatabase } from './databases';

for (const open of ENGINES) {
  describe(`stores (${open.name.replace('Database', '')})`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await open(MIGRATIONS);
    });
    after(() => database.close());

    test('policies: create, unique names per project, list with paging, name filter and sort, update, delete', async () => {
      await database.reset();
      const store = new SqlPolicyStore(database.sql);
      const a = await store.create('library', 1, policySpec('Nightly'), 'admin');
      assert.equal(a.name, 'Nightly');
      assert.equal(a.enabled, true);
      await assert.rejects(store.create('library', 1, policySpec('Nightly'), 'admin'), PolicyNameTakenError);
      await store.create('other', 2, policySpec('Nightly'), 'admin');
      await store.create('library', 1, policySpec('alpha_1'), 'admin');
      await store.create('library', 1, policySpec('beta'), 'admin');
      const page = await store.list('library', { sort: 'name', page: 1, pageSize: 2 });
      assert.equal(page.total, 3);
      assert.deepEqual(
        page.items.map((p) => p.name),
        ['alpha_1', 'beta'],
      );
      assert.deepEqual(
        (await store.list('library', { name: 'NIGHT' })).items.map((p) => p.name),
        ['Nightly'],
      );
      assert.equal((await store.list('library', { name: '_' })).total, 1, 'an underscore matches itself only');
      assert.equal((await store.setEnabled('library', a.id, false, 'bob'))?.enabled, false);
      assert.equal((await store.listAll({ enabled: true, projectName: 'library' })).length, 2);
      assert.equal(await store.get('other', a.id), undefined);
      assert.equal(await store.delete('library', a.id), true);
      assert.equal(await store.getById(a.id), undefined);
    });

    test('queue: claims in order, one task per source artifact at a time, a delayed task waits', async () => {
      await database.reset();
      const executions = new SqlExecutionStore(database.sql);
      const queue = new SqlTaskQueue(database.sql);
      const e = await executions.insertExecution({
        project: 'library',
        trigger: 'ADHOC',
        options: DEFAULT_PATCH_OPTIONS,
      });
      const task = (digest: string) =>
        executions.insertTask({ execution_id: e.id, project: 'library', repository: 'app', source_digest: digest });
      const [a, a2, b] = [await task('sha256:a'), await task('sha256:a'), await task('sha256:b')];
      for (const t of [a, a2, b]) await queue.enqueue(t.id);
      const first = await queue.claimNext();
      assert.equal(first?.id, a.id);
      assert.equal(first?.status, 'Running');
      assert.equal(first?.attempt, 1);
      assert.equal((await queue.claimNext())?.id, b.id, 'a2 waits while a of the same artifact runs');
      assert.equal(await queue.claimNext(), undefined);
      await executions.updateTask(a.id, { status: 'Success', end_time: new Date().toISOString() });
      assert.equal((await queue.claimNext())?.id, a2.id);
      const c = await task('sha256:c');
      await queue.enqueue(c.id, Date.now() + 60_000);
      assert.equal(await queue.claimNext(), undefined);
      const due = await queue.nextDueInMs();
      assert.ok(due !== undefined && due > 50_000 && due <= 60_000, `due in ${due} ms`);
      assert.equal((await queue.claimNext(Date.now() + 61_000))?.id, c.id);
      assert.deepEqual(await queue.queuedTaskIds(), []);
      const refreshed = await executions.refreshExecution(e.id);
      assert.equal(refreshed?.metrics.total, 4);
      assert.equal(refreshed?.metrics.succeeded, 1);
    });

    test('queue: concurrent claims take different tasks', async () => {
      await database.reset();
      const executions = new SqlExecutionStore(database.sql);
      const queue = new SqlTaskQueue(database.sql);
      const e = await executions.insertExecution({
        project: 'library',
        trigger: 'ADHOC',
        options: DEFAULT_PATCH_OPTIONS,
      });
      for (let i = 0; i < 8; i++) {
        const t = await executions.insertTask({
          execution_id: e.id,
          project: 'library',
          repository: 'app',
          source_digest: `sha256:${i}`,
        });
        await queue.enqueue(t.id);
      }
      const claimed = await Promise.all(Array.from({ length: 8 }, () => queue.claimNext()));
      const ids = claimed.filter((t) => t !== undefined).map((t) => t.id);
      assert.equal(new Set(ids).size, ids.length, 'no task claimed twice');
      assert.equal((await executions.tasksWithStatus('Running')).length, ids.length);
    });

    test('leases: a claim records its owner and expiry; the owner renews; an expired lease is taken over once', async () => {
      await database.reset();
      const executions = new SqlExecutionStore(database.sql);
      const queue = new SqlTaskQueue(database.sql);
      const e = await executions.insertExecution({ project: 'p', trigger: 'ADHOC', options: DEFAULT_PATCH_OPTIONS });
      const now = Date.now();
      for (const digest of ['sha256:1', 'sha256:2']) {
        const t = await executions.insertTask({
          execution_id: e.id,
          project: 'p',
          repository: 'r',
          source_digest: digest,
        });
        await queue.enqueue(t.id, now - 1);
      }
      const a = await queue.claimNext(now, { owner: 'replica-a', expiresAt: now + 30_000 });
      const b = await queue.claimNext(now, { owner: 'replica-b', expiresAt: now + 30_000 });
      assert.ok(a && b);
      assert.deepEqual(await queue.expiredLeases(now + 10_000), []);
      assert.equal(await queue.renewLeases('replica-a', now + 90_000), 1, 'replica-a holds one task');
      // replica-b stops renewing: its lease lapses, replica-a's does not.
      const expired = await queue.expiredLeases(now + 60_000);
      assert.deepEqual(
        expired.map((t) => t.id),
        [b.id],
      );
      const tries = await Promise.all(
        ['replica-a', 'replica-c', 'replica-a'].map((owner) =>
          queue.takeOverLease(b.id, { owner, expiresAt: now + 120_000 }, now + 60_000),
        ),
      );
      assert.equal(tries.filter(Boolean).length, 1, 'exactly one process takes the task over');
      assert.deepEqual(await queue.expiredLeases(now + 60_000), []);
      assert.equal(
        await queue.takeOverLease(a.id, { owner: 'replica-c', expiresAt: now + 120_000 }, now + 60_000),
        false,
      );
    });

    test('executions: list with filters and paging, task updates, lookups by digest', async () => {
      await database.reset();
      const executions = new SqlExecutionStore(database.sql);
      const e1 = await executions.insertExecution({ project: 'p', trigger: 'ADHOC', options: DEFAULT_PATCH_OPTIONS });
      const e2 = await executions.insertExecution({
        project: 'p',
        policy_id: 7,
        trigger: 'MANUAL',
        options: DEFAULT_PATCH_OPTIONS,
      });
      const t = await executions.insertTask({
        execution_id: e1.id,
        project: 'p',
        repository: 'app',
        tag: '1.0',
        source_digest: 'sha256:s',
      });
      await executions.updateTask(t.id, {
        status: 'Success',
        patched_digest: 'sha256:p',
        fixed_cves: ['CVE-1'],
        vex: { doc: 1 },
        progress: { stage: 'Done', percent: 100 },
      });
      const page = await executions.listExecutions({ project: 'p', page: 1, page_size: 1 });
      assert.equal(page.total, 2);
      assert.equal(page.items[0].id, e2.id, 'newest first');
      assert.equal((await executions.listExecutions({ project: 'p', policy_id: 7, page: 1, page_size: 5 })).total, 1);
      const got = await executions.getTask(t.id);
      assert.deepEqual(got?.fixed_cves, ['CVE-1']);
      assert.deepEqual(got?.progress, { stage: 'Done', percent: 100 });
      assert.deepEqual(await executions.getTaskVex(t.id), { doc: 1 });
      assert.equal(got?.has_vex, true);
      assert.deepEqual(
        (await executions.listTasks({ execution_id: e1.id, page: 1, page_size: 10 })).items.map((x) => [
          x.id,
          x.has_vex,
        ]),
        [[t.id, true]],
      );
      const plain = await executions.insertTask({
        execution_id: e2.id,
        project: 'p',
        repository: 'b',
        source_digest: 'sha256:b',
      });
      assert.equal((await executions.getTask(plain.id))?.has_vex, false);
      assert.deepEqual(await executions.getTask(plain.id), plain, 'read back as inserted');
      assert.deepEqual(await executions.sourceTagsPatchedInto('p', 'app', 'sha256:p'), ['1.0']);
      assert.equal((await executions.tasksByPatchedDigest('p', ['sha256:p']))[0]?.id, t.id);
      assert.equal((await executions.lastSuccessForDigest('p', 'app', 'sha256:s'))?.id, t.id);
      assert.equal(await executions.activeTaskForDigest('p', 'app', 'sha256:s'), undefined);
      assert.equal((await executions.refreshExecution(e1.id))?.status, 'Success');
      await executions.setExecutionFinal(e2.id, 'Stopped', 'Stopped on request.');
      assert.equal((await executions.getExecution(e2.id))?.status, 'Stopped');
    });

    test('execution lists: each item counts its own tasks, the total follows every write', async () => {
      await database.reset();
      const executions = new SqlExecutionStore(database.sql);
      const ids: number[] = [];
      for (let i = 0; i < 4; i++) {
        const e = await executions.insertExecution({ project: 'p', trigger: 'MANUAL', options: DEFAULT_PATCH_OPTIONS });
        ids.push(e.id);
        for (let k = 0; k < i + 1; k++) {
          const t = await executions.insertTask({
            execution_id: e.id,
            project: 'p',
            repository: `r${k}`,
            source_digest: `sha256:${i}${k}`,
          });
          if (k === 1) await executions.updateTask(t.id, { status: 'Skipped', reason: 'NOTHING_FIXABLE' });
          if (k === 2) await executions.updateTask(t.id, { status: 'Success' });
        }
      }
      await executions.insertExecution({ project: 'other', trigger: 'MANUAL', options: DEFAULT_PATCH_OPTIONS });
      const page = await executions.listExecutions({ project: 'p', page: 1, page_size: 3 });
      assert.equal(page.total, 4);
      assert.deepEqual(
        page.items.map((e) => e.id),
        [ids[3], ids[2], ids[1]],
      );
      for (const item of page.items) assert.deepEqual(item.metrics, (await executions.getExecution(item.id))!.metrics);
      assert.deepEqual(page.items[0].metrics, {
        total: 4,
        succeeded: 1,
        failed: 0,
        skipped: 1,
        stopped: 0,
        running: 0,
        pending: 2,
        by_reason: { NOTHING_FIXABLE: 1 },
      });
      assert.equal((await executions.getExecution(ids[0]))!.metrics.total, 1);

      // Writes through another store (another replica's, on PostgreSQL) change the totals at once.
      const elsewhere = new SqlExecutionStore(database.sql);
      await elsewhere.insertExecution({ project: 'p', trigger: 'ADHOC', options: DEFAULT_PATCH_OPTIONS });
      assert.equal((await executions.listExecutions({ project: 'p', page: 1, page_size: 3 })).total, 5);
      const stopped = { project: 'p', status: 'Stopped', page: 1, page_size: 3 };
      assert.equal((await executions.listExecutions(stopped)).total, 0);
      await elsewhere.setExecutionFinal(ids[1], 'Stopped', 'stopped');
      assert.equal((await executions.listExecutions(stopped)).total, 1);
      assert.equal((await executions.listExecutions({ project: 'p', page: 9, page_size: 3 })).items.length, 0);

      const byStart = await executions.listExecutions({ project: 'p', sort: '-start_time', page: 1, page_size: 10 });
      assert.deepEqual(
        byStart.items.map((e) => e.start_time),
        byStart.items
          .map((e) => e.start_time)
          .sort()
          .reverse(),
        'newest start first',
      );
      assert.equal(byStart.items.length, 5);

      assert.equal(await executions.executionProject(ids[0]), 'p');
      assert.equal(await executions.executionProject(999_999), undefined);
    });

    test("execution lists: a finished execution's counts are kept until it gets work again", async () => {
      await database.reset();
      const executions = new SqlExecutionStore(database.sql);
      const e = await executions.insertExecution({ project: 'p', trigger: 'ADHOC', options: DEFAULT_PATCH_OPTIONS });
      const task = (digest: string) =>
        executions.insertTask({ execution_id: e.id, project: 'p', repository: 'app', source_digest: digest });
      await executions.updateTask((await task('sha256:a')).id, { status: 'Success' });
      assert.equal((await executions.refreshExecution(e.id))?.status, 'Success');
      const listed = async () => (await executions.listExecutions({ project: 'p', page: 1, page_size: 5 })).items[0];
      assert.deepEqual((await listed()).metrics, (await executions.getExecution(e.id))!.metrics);
      assert.equal((await listed()).metrics.succeeded, 1);

      // New work makes it Running (a new update time): the list counts again, and keeps counting while it runs.
      const second = await task('sha256:b');
      assert.equal((await executions.refreshExecution(e.id))?.status, 'Running');
      assert.deepEqual([(await listed()).status, (await listed()).metrics.pending], ['Running', 1]);
      await executions.updateTask(second.id, { status: 'Running' });
      assert.equal((await listed()).metrics.running, 1);
      await executions.updateTask(second.id, { status: 'Skipped', reason: 'NOTHING_FIXABLE' });
      await executions.refreshExecution(e.id);
      const done = await listed();
      assert.deepEqual([done.status, done.metrics], ['Success', (await executions.getExecution(e.id))!.metrics]);
      assert.deepEqual([done.metrics.total, done.metrics.skipped], [2, 1]);
    });

    test('schedules, policy runs, webhook events and jobservice jobs', async () => {
      await database.reset();
      const schedules = new SqlScheduleStore(database.sql);
      await schedules.reset(1, 'library', '0 0 * * * *', new Date('2030-01-01T00:00:00Z'));
      await schedules.markHandled(1, new Date('2030-01-01T01:00:00Z'), 42);
      await schedules.markHandled(1, new Date('2030-01-01T02:00:00Z'), null);
      assert.deepEqual(await schedules.get(1), {
        policy_id: 1,
        project: 'library',
        cron: '0 0 * * * *',
        baseline_time: '2030-01-01T00:00:00.000Z',
        last_run_time: '2030-01-01T02:00:00.000Z',
        last_execution_id: 42,
      });
      for (let i = 0; i < 55; i++) {
        await schedules.log({
          policy_id: 1,
          project: 'library',
          scheduled_time: `s${i}`,
          fired_time: `f${i}`,
          outcome: 'STARTED',
          execution_id: i,
          message: '',
        });
      }
      const recent = await schedules.recent(1, 100);
      assert.equal(recent.length, 50, 'the newest 50 are kept');
      assert.equal(recent[0].execution_id, 54);

      const runs = new SqlPolicyRunStore(database.sql);
      await runs.selectionStarted(5, 1);
      assert.deepEqual(await runs.selectionsInProgress(), [5]);
      await runs.selectionEnded(5);
      assert.deepEqual(await runs.selectionsInProgress(), []);

      const events = new SqlWebhookEventStore(database.sql);
      const ids = await events.insertAll([
        { type: 'PUSH_ARTIFACT', project: 'library', repository: 'app', digest: 'sha256:1', tag: 'a' },
        { type: 'PUSH_ARTIFACT', project: 'library', repository: 'app', digest: 'sha256:2' },
      ] as never);
      assert.equal(ids.length, 2);
      assert.deepEqual(
        (await events.pending()).map((e) => e.id),
        ids,
      );
      assert.equal(await events.retryLater(ids[0], 'Harbor unreachable'), 1);
      await events.finish(ids[0], 'done', 'ok', [3]);
      assert.deepEqual((await events.get(ids[0]))?.execution_ids, [3]);
      assert.deepEqual(
        (await events.pending()).map((e) => e.id),
        [ids[1]],
      );

      const executions = new SqlExecutionStore(database.sql);
      const e = await executions.insertExecution({
        project: 'p',
        trigger: 'JOBSERVICE',
        options: DEFAULT_PATCH_OPTIONS,
      });
      const t = await executions.insertTask({
        execution_id: e.id,
        project: 'p',
        repository: 'r',
        source_digest: 'sha256:x',
      });
      const jobs = new SqlJobStore(database.sql);
      await jobs.insert({
        id: 'job1',
        task_id: t.id,
        name: 'IMAGE_PATCH',
        kind: 'Generic',
        is_unique: 0,
        parameters: '{}',
        status_hook: null,
        enqueue_time: 1_900_000_000,
        run_at: 1_900_000_000_000,
      });
      await jobs.setLastHookStatus('job1', 'Running');
      const job = await jobs.byTask(t.id);
      assert.equal(job?.last_hook_status, 'Running');
      assert.equal(job?.run_at, 1_900_000_000_000, 'epoch milliseconds come back as a number');
    });
  });
}

describe('stores (SQLite file written by another connection)', () => {
  test('an execution list total counts what another connection committed; start-time pages in index order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-store-'));
    const file = join(dir, 'patching.db');
    const writerDb = openDatabase(file);
    migrate(writerDb, MIGRATIONS);
    const readerDb = openDatabase(file);
    const writer = new SqlExecutionStore(sqliteSql(writerDb));
    const reader = new SqlExecutionStore(sqliteSql(readerDb));
    try {
      await writer.insertExecution({ project: 'p', trigger: 'MANUAL', options: DEFAULT_PATCH_OPTIONS });
      const filter = { project: 'p', page: 1, page_size: 10 };
      assert.equal((await reader.listExecutions(filter)).total, 1);
      await writer.insertExecution({ project: 'p', trigger: 'MANUAL', options: DEFAULT_PATCH_OPTIONS });
      assert.equal((await reader.listExecutions(filter)).total, 2);
      assert.equal((await reader.listExecutions(filter)).items.length, 2);
      // A task page the reader keeps follows the writer's commits too.
      const task = await writer.insertTask({
        execution_id: 1,
        project: 'p',
        repository: 'app',
        source_digest: 'sha256:a',
      });
      const tasks = { execution_id: 1, page: 1, page_size: 10 };
      assert.deepEqual(
        (await reader.listTasks(tasks)).items.map((t) => t.status),
        ['Pending'],
      );
      await writer.updateTask(task.id, { status: 'Success' });
      assert.deepEqual(
        (await reader.listTasks(tasks)).items.map((t) => t.status),
        ['Success'],
      );
      const plan = readerDb
        .prepare(
          "EXPLAIN QUERY PLAN SELECT * FROM patch_executions WHERE project = 'p' ORDER BY start_time DESC, id DESC LIMIT 15",
        )
        .all() as { detail: string }[];
      assert.deepEqual(
        plan.map((r) => r.detail),
        ['SEARCH patch_executions USING INDEX patch_executions_project_start (project=?)'],
        'a page sorted by start time is read in index order',
      );
    } finally {
      writerDb.close();
      readerDb.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('list reads kept while the database is unchanged', () => {
  test('a read that began before a write is not kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-store-'));
    const db = openDatabase(join(dir, 'patching.db'));
    migrate(db, MIGRATIONS);
    const q = sqliteSql(db);
    const store = new SqlExecutionStore(q);
    const reads = new UnchangedReads(q, 10);
    try {
      let n = 0;
      const first = await reads.get('page', async () => {
        const value = ++n;
        // Meanwhile a write, and another request that sees it (and starts keeping afresh).
        await store.insertExecution({ project: 'p', trigger: 'MANUAL', options: DEFAULT_PATCH_OPTIONS });
        await reads.get('other', async () => 0);
        return value;
      });
      assert.equal(first, 1);
      assert.equal(await reads.get('page', async () => ++n), 2, 'read again: the first value is older than the write');
      assert.equal(await reads.get('page', async () => ++n), 2, 'kept while nothing changes');
      await store.insertExecution({ project: 'p', trigger: 'MANUAL', options: DEFAULT_PATCH_OPTIONS });
      assert.equal(await reads.get('page', async () => ++n), 3, 'any write forgets it');

      // Full (10 here): what is kept stays until the next write; a new page is read each time meanwhile.
      for (let i = 0; i < 12; i++) await reads.get(`p${i}`, async () => i);
      assert.equal(await reads.get('p0', async () => -1), 0, 'the first pages stay kept');
      assert.equal(await reads.get('p11', async () => -1), -1, 'a page past the limit is read afresh');
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
