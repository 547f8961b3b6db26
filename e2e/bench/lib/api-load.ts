/**
 * The API benchmarks' seeding and load driver (bench:api, bench:replicas): executions and tasks written straight into
 * a migrated SQLite database, and an open-loop driver at a fixed rate over keep-alive connections.
 */
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { MIGRATIONS, migrate, openDatabase } from '@harbor-patching/adapter';

/** Requests sign in as Harbor's admin with Basic auth. */
export const BASIC = 'Basic ' + Buffer.from('admin:Harbor12345').toString('base64');

/** 10,000 executions x 10 tasks, written straight into a migrated SQLite database in `dataDir` (one transaction); ms taken. */
export function seed(
  dataDir: string,
  executions: number,
  tasksEach: number,
  o: { withoutStatusIndex?: boolean } = {},
): number {
  const started = performance.now();
  const db = openDatabase(join(dataDir, 'patching.db'));
  migrate(db, MIGRATIONS);
  const insertExecution = db.prepare(
    `INSERT INTO patch_executions (project, policy_id, trigger, status, status_message, options, start_time, end_time, update_time)
     VALUES ('library', ?, ?, ?, '', '{}', ?, ?, ?)`,
  );
  const insertTask = db.prepare(
    `INSERT INTO patch_tasks (execution_id, project, repository, tag, source_digest, status, reason, status_message,
       patched_tag, patched_digest, vulnerabilities_before, vulnerabilities_after, fixed_cves, attempt, copa_seconds,
       creation_time, start_time, end_time, update_time)
     VALUES (?, 'library', ?, '1.0', ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 12.5, ?, ?, ?, ?)`,
  );
  const summary = JSON.stringify({ total: 42, fixable: 30, critical: 2, high: 10, medium: 20, low: 10, unknown: 0 });
  const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  db.transaction(() => {
    for (let e = 1; e <= executions; e++) {
      const start = new Date(t0 + e * 60_000).toISOString();
      const end = new Date(t0 + e * 60_000 + 300_000).toISOString();
      const id = Number(
        insertExecution.run(
          e % 3 === 0 ? null : (e % 20) + 1,
          e % 3 === 0 ? 'MANUAL' : 'SCHEDULE',
          'Success',
          start,
          end,
          end,
        ).lastInsertRowid,
      );
      for (let t = 0; t < tasksEach; t++) {
        const n = e * tasksEach + t;
        const ok = t % 4 !== 3;
        insertTask.run(
          id,
          `team-${e % 50}/app-${t}`,
          digest(n),
          ok ? 'Success' : 'Skipped',
          ok ? null : 'NOTHING_FIXABLE',
          ok ? 'patched' : 'nothing to fix',
          ok ? '1.0-patched' : null,
          ok ? digest(n + 1e9) : null,
          summary,
          ok ? summary : null,
          ok ? JSON.stringify(['CVE-2024-0001', 'CVE-2024-0002']) : '[]',
          start,
          start,
          end,
          end,
        );
      }
    }
  })();
  if (o.withoutStatusIndex) db.exec('DROP INDEX patch_tasks_execution_status');
  db.close();
  return performance.now() - started;
}

export interface Result {
  rate: number;
  achieved: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Sends `rate` requests a second for `seconds` (paths from `pathAt`), and measures each answer's latency. */
export async function drive(
  base: string,
  pathAt: (i: number) => string,
  rate: number,
  seconds: number,
): Promise<Result> {
  const url = new URL(base);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const latencies: number[] = [];
  let errors = 0;
  const total = Math.round(rate * seconds);
  let sent = 0;
  const inflight: Promise<void>[] = [];
  const started = performance.now();
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const t = performance.now();
      const req = request(
        { host: url.hostname, port: url.port, path: pathAt(i), agent, headers: { authorization: BASIC } },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => {
            if (res.statusCode !== 200) errors++;
            latencies.push(performance.now() - t);
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      req.end();
    });
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
    while (sent < due) inflight.push(one(sent++));
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inflight);
  const wall = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return { rate, achieved: latencies.length / wall, p50: q(0.5), p99: q(0.99), errors };
}
