/**
 * Insights aggregation benchmark: seeds a history of finished tasks (default 100,000 over 90 days in 10
 * projects, a third of them successful with vulnerability counts and fixed CVEs) into a fresh SQLite file
 * migrated as the adapter migrates it, then times what the insights API computes from the store:
 * one project's 30 days by day and the whole service's 90 days by week (outcomes, totals, reasons,
 * per-project rows, service figures). The target is under 200 ms for each.
 *
 *   npm run bench:insights [-- --tasks 100000 --projects 10 --days 90 --runs 5]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  MIGRATIONS,
  migrate,
  openDatabase,
  sqliteSql,
  SqlInsightsStore,
  type InsightsRange,
} from '@harbor-patching/adapter';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '100000' },
    projects: { type: 'string', default: '10' },
    days: { type: 'string', default: '90' },
    runs: { type: 'string', default: '5' },
  },
});
const TASKS = Number(values.tasks);
const PROJECTS = Number(values.projects);
const DAYS = Number(values.days);
const RUNS = Number(values.runs);
const TARGET_MS = 200;

const REASONS: [string, string][] = [
  ['Skipped', 'UP_TO_DATE'],
  ['Skipped', 'NOTHING_FIXABLE'],
  ['Skipped', 'NOT_IMAGE'],
  ['Error', 'COPA_FAILED'],
  ['Error', 'TIMEOUT'],
  ['Stopped', 'STOPPED'],
];

const dir = mkdtempSync(join(tmpdir(), 'hp-bench-insights-'));
try {
  const db = openDatabase(join(dir, 'patching.db'));
  migrate(db, MIGRATIONS);
  const now = Date.now();
  const seedStart = performance.now();
  const insertExecution = db.prepare(
    `INSERT INTO patch_executions (project, trigger, status, start_time, end_time, update_time)
     VALUES (?, 'SCHEDULE', 'Success', ?, ?, ?)`,
  );
  const insertTask = db.prepare(
    `INSERT INTO patch_tasks (execution_id, project, repository, tag, source_digest, status, reason,
       vulnerabilities_before, vulnerabilities_after, fixed_cves, creation_time, start_time, end_time, update_time)
     VALUES (?, ?, ?, 'v1', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const perExecution = 100;
  db.transaction(() => {
    let executionId = 0;
    for (let i = 0; i < TASKS; i++) {
      const project = `project-${i % PROJECTS}`;
      const end = new Date(now - ((i * 7919) % (DAYS * 86_400_000)));
      const start = new Date(end.getTime() - 30_000 - (i % 600) * 1000);
      if (i % perExecution === 0) {
        const t = start.toISOString();
        executionId = Number(insertExecution.run(project, t, end.toISOString(), t).lastInsertRowid);
      }
      const success = i % 3 === 0;
      const [status, reason] = success ? ['Success', null] : REASONS[i % REASONS.length];
      const before = success
        ? JSON.stringify({
            total: 40,
            fixable: 12,
            summary: { Critical: 2, High: 8, Medium: 20, Low: 10 },
            fixable_summary: { Critical: 1, High: 5, Medium: 4, Low: 2 },
          })
        : null;
      const after = success
        ? JSON.stringify({ total: 28, fixable: 0, summary: { High: 3, Medium: 16, Low: 9 }, fixable_summary: {} })
        : null;
      const fixed = success ? JSON.stringify(Array.from({ length: 12 }, (_, k) => `CVE-2026-${(i + k) % 5000}`)) : null;
      insertTask.run(
        executionId,
        project,
        `repo-${i % 500}`,
        `sha256:${i.toString(16).padStart(64, '0')}`,
        status,
        reason,
        before,
        after,
        fixed,
        start.toISOString(),
        start.toISOString(),
        end.toISOString(),
        end.toISOString(),
      );
    }
  })();
  const seedMs = performance.now() - seedStart;
  db.exec('ANALYZE');
  const store = new SqlInsightsStore(sqliteSql(db));

  const time = async (label: string, fn: () => Promise<unknown>) => {
    await fn(); // warm the page cache and the statement cache
    const samples: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t = performance.now();
      await fn();
      samples.push(performance.now() - t);
    }
    samples.sort((a, b) => a - b);
    const median = samples[Math.floor(samples.length / 2)];
    const verdict = median < TARGET_MS ? 'ok' : 'OVER TARGET';
    console.log(
      `${label.padEnd(44)} median ${median.toFixed(1).padStart(7)} ms  (min ${samples[0].toFixed(1)}, max ${samples.at(-1)!.toFixed(1)})  ${verdict}`,
    );
    return median;
  };

  const day = (msAgo: number) => new Date(now - msAgo).toISOString().slice(0, 10);
  const to = day(0);
  const project: InsightsRange = { project: 'project-0', from: day(29 * 86_400_000), to, bucket: 'day' };
  const system: InsightsRange = { from: day((DAYS - 1) * 86_400_000), to, bucket: 'week' };
  console.log(
    `seeded ${TASKS.toLocaleString('en')} tasks (${PROJECTS} projects, ${DAYS} days) in ${(seedMs / 1000).toFixed(1)} s`,
  );
  const results = [
    await time(
      `one project, 30 days by day (${Math.round(TASKS / PROJECTS / (DAYS / 30)).toLocaleString('en')} tasks)`,
      () => Promise.all([store.outcomes(project), store.totals(project), store.reasons(project)]),
    ),
    await time(`all projects, ${DAYS} days by week (${TASKS.toLocaleString('en')} tasks)`, () =>
      Promise.all([
        store.outcomes(system),
        store.totals(system),
        store.reasons(system),
        store.projects(system),
        store.service(system),
      ]),
    ),
  ];
  const counted = (await store.totals(system)).tasks;
  if (counted !== TASKS) throw new Error(`the rollup counts ${counted} tasks, ${TASKS} were seeded`);
  db.close();
  if (results.some((ms) => ms >= TARGET_MS)) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
