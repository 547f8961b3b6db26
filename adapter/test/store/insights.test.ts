/**
 * The insights store on a seeded history: counts per day, week and reason, fixed CVEs, fixable before and
 * after, per-project rows, the service's load, snapshots and an execution's report. The history is written
 * through the executions store, as the engine writes it; the rollup follows through its triggers.
 * The same cases run on SQLite and on PostgreSQL (databases.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Sql } from '../../src/store/schema';
import { ENGINES, type TestDatabase } from './databases';
import { DEFAULT_PATCH_OPTIONS, type Task, type VulnerabilitySummary } from '../../src/model/execution';
import { executionMigrations, SqlExecutionStore } from '../../src/store/executions';
import { insightsMigrations, SqlInsightsStore, type InsightsStore } from '../../src/store/insights';

interface Fixture {
  sql: Sql;
  executions: SqlExecutionStore;
  store: InsightsStore;
}

const fixture = (sql: Sql): Fixture => ({
  sql,
  executions: new SqlExecutionStore(sql),
  store: new SqlInsightsStore(sql),
});

const vulns = (fixable: Partial<Record<string, number>>, total = 20): VulnerabilitySummary => ({
  total,
  fixable: Object.values(fixable).reduce((a: number, b) => a + (b ?? 0), 0),
  summary: { Critical: 2, High: 6, Medium: 8, Low: 4 },
  fixable_summary: fixable,
});

/** A finished task of `project`, ended at `end` after `seconds`. */
async function finished(
  f: Fixture,
  project: string,
  end: string,
  outcome: { status: Task['status']; reason?: Task['reason']; fixed?: string[]; seconds?: number; repository?: string },
  executionId?: number,
): Promise<Task> {
  const execution =
    executionId ??
    (
      await f.executions.insertExecution({
        project,
        trigger: 'MANUAL',
        options: DEFAULT_PATCH_OPTIONS,
      })
    ).id;
  const t = await f.executions.insertTask({
    execution_id: execution,
    project,
    repository: outcome.repository ?? 'app',
    tag: 'v1',
    source_digest: `sha256:${Math.random().toString(16).slice(2).padEnd(64, '0')}`,
  });
  const start = new Date(Date.parse(end) - (outcome.seconds ?? 60) * 1000).toISOString();
  await f.executions.updateTask(t.id, { status: 'Running', start_time: start });
  const success = outcome.status === 'Success';
  await f.executions.updateTask(t.id, {
    status: outcome.status,
    reason: outcome.reason ?? null,
    end_time: end,
    vulnerabilities_before: success ? vulns({ Critical: 1, High: 3 }) : null,
    vulnerabilities_after: success ? vulns({ High: 1 }) : null,
    fixed_cves: outcome.fixed ?? [],
  });
  return (await f.executions.getTask(t.id))!;
}

/**
 * library, 2026-03-02 (a Monday): 2 Success (3 and 2 CVEs), 1 Skipped UP_TO_DATE.
 * library, 2026-03-03: 1 Error COPA_FAILED, 1 Skipped UP_TO_DATE, 1 Stopped STOPPED.
 * library, 2026-03-09 (next week): 1 Success (1 CVE).
 * Outside: other-project on 2026-03-02 (1 Success), library on 2026-02-27 (1 Error TIMEOUT), a Pending task.
 */
async function seed(f: Fixture): Promise<void> {
  await finished(f, 'library', '2026-03-02T08:00:00.000Z', { status: 'Success', fixed: ['CVE-1', 'CVE-2', 'CVE-3'] });
  await finished(f, 'library', '2026-03-02T23:59:59.999Z', { status: 'Success', fixed: ['CVE-1', 'CVE-4'] });
  await finished(f, 'library', '2026-03-02T10:00:00.000Z', { status: 'Skipped', reason: 'UP_TO_DATE' });
  await finished(f, 'library', '2026-03-03T00:00:00.000Z', { status: 'Error', reason: 'COPA_FAILED' });
  await finished(f, 'library', '2026-03-03T12:00:00.000Z', { status: 'Skipped', reason: 'UP_TO_DATE' });
  await finished(f, 'library', '2026-03-03T13:00:00.000Z', { status: 'Stopped', reason: 'STOPPED' });
  await finished(f, 'library', '2026-03-09T09:00:00.000Z', { status: 'Success', fixed: ['CVE-9'] });
  await finished(f, 'other-project', '2026-03-02T09:00:00.000Z', { status: 'Success', fixed: ['CVE-7'] });
  await finished(f, 'library', '2026-02-27T09:00:00.000Z', { status: 'Error', reason: 'TIMEOUT' });
  const e = await f.executions.insertExecution({
    project: 'library',
    trigger: 'ADHOC',
    options: DEFAULT_PATCH_OPTIONS,
  });
  await f.executions.insertTask({
    execution_id: e.id,
    project: 'library',
    repository: 'app',
    source_digest: 'sha256:1',
  });
}

const MARCH = { project: 'library', from: '2026-03-01', to: '2026-03-31', bucket: 'day' as const };

for (const open of ENGINES) {
  describe(`insights store (${open.name.replace('Database', '')})`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await open([...executionMigrations, ...insightsMigrations]);
    });
    after(() => database.close());
    const impl = {
      open: async () => {
        await database.reset();
        return fixture(database.sql);
      },
    };
    test('outcomes per day: counts per status and reason, fixed CVEs, only the project and the range', async () => {
      const f = await impl.open();
      await seed(f);
      assert.deepEqual(await f.store.outcomes(MARCH), [
        {
          period: '2026-03-02',
          succeeded: 2,
          skipped: 1,
          failed: 0,
          stopped: 0,
          fixed_cves: 5,
          by_reason: { UP_TO_DATE: 1 },
        },
        {
          period: '2026-03-03',
          succeeded: 0,
          skipped: 1,
          failed: 1,
          stopped: 1,
          fixed_cves: 0,
          by_reason: { COPA_FAILED: 1, STOPPED: 1, UP_TO_DATE: 1 },
        },
        { period: '2026-03-09', succeeded: 1, skipped: 0, failed: 0, stopped: 0, fixed_cves: 1, by_reason: {} },
      ]);
    });

    test('outcomes per week start on Monday; every project when none is given', async () => {
      const f = await impl.open();
      await seed(f);
      const weeks = await f.store.outcomes({ from: '2026-02-01', to: '2026-03-31', bucket: 'week' });
      assert.deepEqual(
        weeks.map((w) => [w.period, w.succeeded, w.skipped, w.failed, w.stopped, w.fixed_cves]),
        [
          ['2026-02-23', 0, 0, 1, 0, 0],
          ['2026-03-02', 3, 2, 1, 1, 6],
          ['2026-03-09', 1, 0, 0, 0, 1],
        ],
      );
    });

    test('totals and fixable vulnerabilities before and after, per severity, of the successful tasks', async () => {
      const f = await impl.open();
      await seed(f);
      const t = await f.store.totals(MARCH);
      assert.equal(t.tasks, 7);
      assert.deepEqual([t.succeeded, t.skipped, t.failed, t.stopped, t.fixed_cves], [3, 2, 1, 1, 6]);
      assert.deepEqual(t.fixable_before, {
        Critical: 3,
        High: 9,
        Medium: 0,
        Low: 0,
        Negligible: 0,
        Unknown: 0,
        None: 0,
      });
      assert.deepEqual(t.fixable_after, {
        Critical: 0,
        High: 3,
        Medium: 0,
        Low: 0,
        Negligible: 0,
        Unknown: 0,
        None: 0,
      });
      const empty = await f.store.totals({ ...MARCH, project: 'nobody' });
      assert.equal(empty.tasks, 0);
      assert.equal(empty.fixable_before.Critical, 0);
    });

    test('reasons, most frequent first', async () => {
      const f = await impl.open();
      await seed(f);
      assert.deepEqual(await f.store.reasons(MARCH), [
        { status: 'Skipped', reason: 'UP_TO_DATE', count: 2 },
        { status: 'Error', reason: 'COPA_FAILED', count: 1 },
        { status: 'Stopped', reason: 'STOPPED', count: 1 },
      ]);
    });

    test('a task that leaves a final state (a retry) leaves the counts; deleting an execution removes its tasks', async () => {
      const f = await impl.open();
      await seed(f);
      const t = await finished(f, 'library', '2026-03-04T10:00:00.000Z', {
        status: 'Error',
        reason: 'REGISTRY_UNREACHABLE',
      });
      assert.equal((await f.store.totals(MARCH)).failed, 2);
      await f.executions.updateTask(t.id, { status: 'Pending', end_time: null });
      assert.equal((await f.store.totals(MARCH)).failed, 1);
      await f.executions.updateTask(t.id, {
        status: 'Success',
        end_time: '2026-03-05T10:00:00.000Z',
        fixed_cves: ['CVE-5'],
      });
      const day5 = (await f.store.outcomes(MARCH)).find((o) => o.period === '2026-03-05');
      assert.deepEqual([day5?.succeeded, day5?.fixed_cves], [1, 1]);
      assert.equal(
        (await f.store.outcomes(MARCH)).find((o) => o.period === '2026-03-04'),
        undefined,
      );

      await f.sql.db.deleteFrom('patch_executions').where('id', '=', t.execution_id).execute();
      assert.equal((await f.store.totals(MARCH)).succeeded, 3);
      assert.equal(
        (await f.store.outcomes(MARCH)).find((o) => o.period === '2026-03-05'),
        undefined,
      );
    });

    test('per project rows and the service load', async () => {
      const f = await impl.open();
      await seed(f);
      const rows = await f.store.projects({ from: '2026-03-01', to: '2026-03-31', bucket: 'day' });
      assert.deepEqual(
        rows.map((r) => [r.project, r.tasks, r.succeeded, r.fixed_cves]),
        [
          ['library', 7, 3, 6],
          ['other-project', 1, 1, 1],
        ],
      );
      assert.ok(rows[0].last_execution);

      const now = new Date('2026-03-03T14:00:00.000Z');
      const s = await f.store.service({ from: '2026-03-01', to: '2026-03-31', bucket: 'day' }, now);
      // Finished in the hour before 14:00: the Stopped task (13:00). Every seeded task took 60 s.
      assert.equal(s.finished_last_hour, 1);
      assert.equal(s.queued, 0);
      assert.equal(s.running, 0);
      assert.equal(s.median_task_seconds, 60);
      assert.equal(s.mean_task_seconds, 60);
    });

    test('snapshots: the newest on or before a day, else the oldest; the newest per project', async () => {
      const f = await impl.open();
      const snap = (day: string, fixable: number) => ({
        day,
        taken_at: `${day}T10:00:00.000Z`,
        artifacts: 3,
        total: 30,
        fixable,
        by_severity: { Critical: 1, High: 2, Medium: 3, Low: 4, Negligible: 0, Unknown: 0, None: 0 },
      });
      assert.equal(await f.store.snapshotNear('library', '2026-03-01'), undefined);
      await f.store.saveSnapshot('library', snap('2026-02-01', 10));
      await f.store.saveSnapshot('library', snap('2026-03-01', 8));
      await f.store.saveSnapshot('library', snap('2026-03-01', 7));
      await f.store.saveSnapshot('other', snap('2026-03-05', 2));
      assert.equal((await f.store.snapshotNear('library', '2026-02-15'))?.fixable, 10);
      assert.equal((await f.store.snapshotNear('library', '2026-03-10'))?.fixable, 7);
      assert.equal((await f.store.snapshotNear('library', '2026-01-01'))?.day, '2026-02-01');
      const latest = await f.store.latestSnapshots();
      assert.deepEqual([latest.get('library')?.fixable, latest.get('other')?.day], [7, '2026-03-05']);
    });

    test("an execution's report: one row per task with counts before and after and the fixed CVEs", async () => {
      const f = await impl.open();
      const t = await finished(f, 'library', '2026-03-02T08:00:00.000Z', {
        status: 'Success',
        fixed: ['CVE-1', 'CVE-2'],
        repository: 'team/app',
      });
      await finished(
        f,
        'library',
        '2026-03-02T08:01:00.000Z',
        { status: 'Skipped', reason: 'UP_TO_DATE' },
        t.execution_id,
      );
      const rows = await f.store.executionReport(t.execution_id);
      assert.equal(rows.length, 2);
      const [skipped, success] = rows;
      assert.deepEqual(
        [skipped.repository, skipped.status, skipped.reason, skipped.before],
        ['app', 'Skipped', 'UP_TO_DATE', null],
      );
      assert.equal(success.repository, 'team/app');
      assert.deepEqual(success.fixed_cves, ['CVE-1', 'CVE-2']);
      assert.deepEqual([success.fixable_before, success.fixable_after, success.before?.High], [4, 1, 6]);
    });
  });
}

for (const open of ENGINES) {
  test(`the migration counts the tasks that finished before it (${open.name.replace('Database', '')})`, async () => {
    const database = await open(executionMigrations);
    try {
      const f = fixture(database.sql);
      await finished(f, 'library', '2026-03-02T08:00:00.000Z', { status: 'Success', fixed: ['CVE-1'] });
      await finished(f, 'library', '2026-03-02T09:00:00.000Z', { status: 'Skipped', reason: 'NOT_IMAGE' });
      await database.migrate([...executionMigrations, ...insightsMigrations]);
      const t = await f.store.totals(MARCH);
      assert.deepEqual([t.tasks, t.succeeded, t.skipped, t.fixed_cves, t.fixable_before.High], [2, 1, 1, 1, 3]);
      await finished(f, 'library', '2026-03-02T10:00:00.000Z', { status: 'Success', fixed: ['CVE-2'] });
      assert.equal((await f.store.totals(MARCH)).fixed_cves, 2);
    } finally {
      await database.close();
    }
  });
}
