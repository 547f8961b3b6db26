/**
 * Several processes (replicas) on one database: each has its own store objects and, on PostgreSQL, its own
 * connection pool. Ad-hoc patches of one artifact join one task, a schedule slot starts one run, Harbor's event
 * delivered to every replica is handled once, and a task's log reads the same from every replica.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MAX_TASK_LOG_LINES, Scrubber, TaskLogs } from '../../src/jobs/logs';
import { DEFAULT_PATCH_OPTIONS } from '../../src/model/execution';
import type { ArtifactEvent } from '../../src/model/webhook-event';
import { PolicyScheduler, type ScheduledPolicy } from '../../src/scheduler/scheduler';
import { postgresSql, type Sql } from '../../src/store/db';
import { SqlExecutionStore } from '../../src/store/executions';
import { MIGRATIONS } from '../../src/store/migrations';
import { SqlScheduleStore } from '../../src/store/schedules';
import { SqlTaskLogStore } from '../../src/store/task-logs';
import { SqlWebhookEventStore } from '../../src/store/webhook-events';
import { WebhookProcessor, type WebhookProcessorDeps } from '../../src/webhooks/processor';
import { createPatchEngine } from '../../src/wiring';
import { ENGINES, type TestDatabase } from './databases';

const dataDir = mkdtempSync(join(tmpdir(), 'hp-replicas-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

/** The replicas' own query layers over the test database: on PostgreSQL a pool each, on SQLite the one file. */
function replicaSqls(database: TestDatabase, n: number): { sqls: Sql[]; close(): Promise<void> } {
  if (database.sql.engine === 'sqlite')
    return { sqls: Array.from({ length: n }, () => database.sql), close: async () => {} };
  const url = (database.sql as Sql & { pool: { options: { connectionString: string } } }).pool.options.connectionString;
  const sqls = Array.from({ length: n }, () => postgresSql({ url, poolSize: 4 }));
  return { sqls, close: async () => void (await Promise.all(sqls.map((q) => q.db.destroy()))) };
}

function engineOver(q: Sql, name: string) {
  return createPatchEngine(q, {
    harborUrl: 'http://127.0.0.1:9',
    robotName: 'robot$patcher',
    robotSecret: 'not-used-here',
    dataDir: join(dataDir, name),
    buildkitAddr: 'tcp://127.0.0.1:9',
    copaPath: '/nonexistent/copa',
  }).engine;
}

class CountingProcessor extends WebhookProcessor {
  handled: ArtifactEvent[] = [];
  override async handle(event: ArtifactEvent) {
    this.handled.push(event);
    await new Promise((r) => setTimeout(r, 20));
    return { status: 'done' as const, message: 'handled' };
  }
}

function processorOver(q: Sql, owner: string): CountingProcessor {
  return new CountingProcessor({ store: new SqlWebhookEventStore(q), owner } as unknown as WebhookProcessorDeps);
}

const scanned = (occurAt?: number): ArtifactEvent => ({
  type: 'SCANNING_COMPLETED',
  project: 'library',
  project_id: 1,
  repository: 'app',
  digest: `sha256:${'a'.repeat(64)}`,
  tag: '1.0',
  scan_type: 'vulnerability',
  occur_at: occurAt,
});

/** One ad-hoc execution with one task of library/app, straight in the store. */
async function adhocTask(sql: Sql, tag: string | null, digest: string) {
  const store = new SqlExecutionStore(sql);
  const execution = await store.insertExecution({
    project: 'library',
    policy_id: null,
    trigger: 'ADHOC',
    options: DEFAULT_PATCH_OPTIONS,
  });
  const task = await store.insertTask({
    execution_id: execution.id,
    project: 'library',
    repository: 'app',
    tag,
    source_digest: digest,
  });
  return { execution, task };
}

for (const open of ENGINES) {
  describe(`replicas (${open.name.replace('Database', '')})`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await open(MIGRATIONS);
    });
    after(() => database.close());

    test('concurrent ad-hoc patches of 3 artifacts over two engines make exactly 3 tasks', async () => {
      await database.reset();
      const replicas = replicaSqls(database, 2);
      try {
        // One process owns a SQLite file: there the 300 requests go to one engine.
        const only = database.sql.engine === 'sqlite' ? engineOver(database.sql, 'engine') : undefined;
        const engines = only ? [only, only] : replicas.sqls.map((q, i) => engineOver(q, `engine-${i}`));
        const digests = ['b', 'c', 'd'].map((c) => `sha256:${c.repeat(64)}`);
        const results = await Promise.all(
          Array.from({ length: 300 }, (_, i) =>
            engines[i % 2].patchArtifact({
              project: 'library',
              artifact: { repository: 'app', tag: '1.0', digest: digests[i % 3] },
            }),
          ),
        );
        const tasks = await database.sql.db.selectFrom('patch_tasks').select(['id', 'source_digest']).execute();
        assert.equal(tasks.length, 3, tasks.map((t) => t.source_digest).join(', '));
        assert.deepEqual(tasks.map((t) => t.source_digest).sort(), digests);
        assert.equal(results.filter((r) => !r.joined).length, 3);
        for (const r of results) {
          assert.equal(r.task.id, tasks.find((t) => t.source_digest === r.task.source_digest)!.id);
        }
        await Promise.all(engines.map((e) => e.logs.flush()));
      } finally {
        await replicas.close();
      }
    });

    test('three schedulers on one database start one run per slot (or record one SKIPPED)', async () => {
      await database.reset();
      const replicas = replicaSqls(database, 3);
      try {
        let clock = new Date('2030-03-04T11:59:30Z');
        const policy: ScheduledPolicy = {
          id: 7,
          project_name: 'library',
          enabled: true,
          trigger: { type: 'scheduled', cron: '0 0 * * * *' },
        };
        const started: string[] = [];
        let busy = false;
        const schedulers = replicas.sqls.map(
          (q, i) =>
            new PolicyScheduler({
              store: new SqlScheduleStore(q),
              owner: `replica-${i}`,
              now: () => clock,
              listScheduledPolicies: () => [policy],
              hasActiveRun: async () => busy,
              startRun: async () => {
                started.push(clock.toISOString());
                return { id: started.length };
              },
            }),
        );
        await schedulers[0].tick();
        clock = new Date('2030-03-04T12:00:05Z');
        const fired = (await Promise.all(schedulers.map((s) => s.tick()))).flat();
        assert.deepEqual(
          fired.map((f) => f.outcome),
          ['STARTED'],
        );
        assert.equal(started.length, 1);

        busy = true;
        clock = new Date('2030-03-04T13:00:05Z');
        const skipped = (await Promise.all(schedulers.map((s) => s.tick()))).flat();
        assert.deepEqual(
          skipped.map((f) => f.outcome),
          ['SKIPPED'],
        );
        const log = await new SqlScheduleStore(database.sql).recent(7);
        assert.deepEqual(
          log.map((l) => l.outcome),
          ['SKIPPED', 'STARTED'],
        );
      } finally {
        await replicas.close();
      }
    });

    test("Harbor's same event delivered to three replicas is stored once and handled once", async () => {
      await database.reset();
      const replicas = replicaSqls(database, 3);
      try {
        const processors = replicas.sqls.map((q, i) => processorOver(q, `replica-${i}`));
        // Each replica receives the delivery (as its receiver does: store, then handle off the request path).
        const ids = await Promise.all(processors.map((p) => p.accept([scanned(1_900_000_000)])));
        assert.equal(new Set(ids.flat()).size, 1, `one stored event: ${JSON.stringify(ids)}`);
        await new Promise((resolve) => setImmediate(resolve)); // the passes accept schedules
        await Promise.all(processors.map((p) => p.idle()));
        assert.equal(
          processors.reduce((n, p) => n + p.handled.length, 0),
          1,
        );
        const rec = await processors[0].store.get(ids[0][0]);
        assert.equal(rec?.status, 'done');

        // Without occur_at an event has no identity: each delivery is its own event.
        const a = await processors[0].store.insert(scanned());
        const b = await processors[1].store.insert(scanned());
        assert.notEqual(a, b);
        // The same delivery again (Harbor retrying) is the stored event, also after it was handled.
        assert.deepEqual(await processors[2].store.insertAll([scanned(1_900_000_000)]), ids[0]);
      } finally {
        await replicas.close();
      }
    });

    test('an event claimed by one replica is left by the others; a given-up claim is taken again', async () => {
      await database.reset();
      const store = new SqlWebhookEventStore(database.sql);
      const id = await store.insert(scanned(1_900_000_100));
      assert.equal(await store.claim(id, 'a'), true);
      assert.equal(await store.claim(id, 'b'), false);
      assert.deepEqual(await store.pending(), [], 'a claimed event is not pending for the others');
      await store.retryLater(id, 'Harbor answered 503');
      assert.equal(await store.claim(id, 'b'), true);
    });

    test('task logs: lines are in the database, read from any replica in order, scrubbed, gone with their task', async () => {
      await database.reset();
      const replicas = replicaSqls(database, 2);
      try {
        const { execution: e, task } = await adhocTask(database.sql, '1.0', `sha256:${'e'.repeat(64)}`);
        const legacyDir = join(dataDir, `task-logs-${open.name}`);
        const [a, b] = replicas.sqls.map(
          (q) => new TaskLogs(legacyDir, new Scrubber(['s3cr3t-value']), new SqlTaskLogStore(q)),
        );
        a.append(task.id, 'first');
        a.append(task.id, 'two\nlines with s3cr3t-value');
        assert.match(await a.read(task.id), /first\n.* two\n.* lines with \*\*\*\n$/);
        a.append(task.id, 'last');
        await a.flush(task.id);
        const fromB = await b.read(task.id);
        assert.deepEqual(
          fromB.split('\n').map((l) => l.replace(/^\S+ /, '')),
          ['first', 'two', 'lines with ***', 'last', ''],
        );
        assert.match(fromB, /^\d{4}-\d\d-\d\dT\S+Z first\n/);

        // A task from a release that kept logs as files: the file first.
        mkdirSync(legacyDir, { recursive: true });
        writeFileSync(join(legacyDir, `${task.id}.log`), '2026-01-01T00:00:00.000Z from the file\n');
        assert.match(await b.read(task.id), /^2026-01-01T00:00:00.000Z from the file\n\S+ first\n/);

        await database.sql.db.deleteFrom('patch_executions').where('id', '=', e.id).execute();
        assert.deepEqual(await new SqlTaskLogStore(database.sql).lines(task.id), []);
      } finally {
        await replicas.close();
      }
    });

    test("task logs: a task's log keeps its first lines, with a note", async () => {
      await database.reset();
      const { task } = await adhocTask(database.sql, null, `sha256:${'f'.repeat(64)}`);
      const logs = new TaskLogs(join(dataDir, 'none'), new Scrubber([]), new SqlTaskLogStore(database.sql));
      for (let i = 0; i < MAX_TASK_LOG_LINES + 50; i++) logs.append(task.id, `line ${i}`);
      const lines = (await logs.read(task.id)).trimEnd().split('\n');
      assert.equal(lines.length, MAX_TASK_LOG_LINES + 1);
      assert.match(lines.at(-2)!, / line 19999$/);
      assert.match(lines.at(-1)!, /keeps the first 20000 lines/);
    });
  });
}
