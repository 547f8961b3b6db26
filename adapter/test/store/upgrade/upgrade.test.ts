/**
 * Upgrades: a data directory written by the previous release (release-0.1.0/, made with make-data-dir.ts
 * on that release) opens with this one. Every schema step of this release is applied on top of the old
 * ones, and the old policies, executions, tasks, task logs, webhook events and jobservice jobs read as
 * that release answered (api.json; fields added since may be there too). A database migrated by a newer
 * release is refused, untouched.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { startHarborSim, type HarborSim } from '@harbor-patching/harbor-sim';
import { registryUrl } from '@harbor-patching/oci-testkit';
import { DATABASE_FILE, startAdapter, type RunningAdapter } from '../../../src/app';
import type { Config } from '../../../src/config/config';
import { MIGRATIONS } from '../../../src/store/migrations';

const PREVIOUS = fileURLToPath(new URL('./release-0.1.0', import.meta.url));
/** The previous release's answers, by path under /patching/api/v1/projects/library (jobs/ under /api/v1). */
const answers = JSON.parse(readFileSync(join(PREVIOUS, 'api.json'), 'utf8')) as Record<string, unknown>;
const ROBOT = { name: 'robot$upgrade', secret: 'Upgrade-Robot-Secret-1' };
const JOBSERVICE_SECRET = 'Upgrade-Jobservice-Secret-1';
const admin = 'Basic ' + Buffer.from('admin:Harbor12345').toString('base64');

const dir = mkdtempSync(join(tmpdir(), 'hp-upgrade-'));
let sim: HarborSim | undefined;
const adapters: RunningAdapter[] = [];
after(async () => {
  for (const a of adapters) await a.close().catch(() => undefined);
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A copy of the previous release's data directory. */
function previousDataDir(name: string): string {
  const dataDir = join(dir, name);
  cpSync(join(PREVIOUS, 'data'), dataDir, { recursive: true });
  return dataDir;
}

async function start(dataDir: string): Promise<RunningAdapter> {
  sim ??= await startHarborSim({
    port: 0,
    registryUrl,
    seed: 'demo',
    robots: [{ name: ROBOT.name, secret: ROBOT.secret, level: 'system' }],
  });
  const config: Partial<Config> = {
    port: 0,
    harborUrl: sim.url,
    robotName: ROBOT.name,
    robotSecret: ROBOT.secret,
    jobserviceSecret: JOBSERVICE_SECRET,
    dataDir,
    portalDir: join(dir, 'no-portal'),
    logLevel: 'silent',
    validateResponses: true,
  };
  const adapter = await startAdapter(config);
  adapters.push(adapter);
  return adapter;
}

function schemaSteps(file: string): Map<string, string> {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare('SELECT module, version, applied_at FROM schema_migrations').all() as {
      module: string;
      version: number;
      applied_at: string;
    }[];
    return new Map(rows.map((r) => [`${r.module}@${r.version}`, r.applied_at]));
  } finally {
    db.close();
  }
}

/** `actual` holds everything of `expected` (objects may have gained fields; arrays match item by item). */
function assertContains(actual: unknown, expected: unknown, path: string): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: not an array`);
    assert.equal(actual.length, expected.length, `${path}: length`);
    expected.forEach((e, i) => assertContains(actual[i], e, `${path}[${i}]`));
  } else if (expected && typeof expected === 'object') {
    assert.ok(actual && typeof actual === 'object', `${path}: not an object`);
    for (const [k, v] of Object.entries(expected))
      assertContains((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
  } else {
    assert.deepEqual(actual, expected, path);
  }
}

test("the previous release's data directory opens, migrates forward and reads as before", async () => {
  const dataDir = previousDataDir('upgraded');
  const before = schemaSteps(join(dataDir, DATABASE_FILE));
  assert.ok(before.size > 0, 'the previous release recorded its schema steps');

  const adapter = await start(dataDir);
  const after = schemaSteps(join(dataDir, DATABASE_FILE));
  for (const m of MIGRATIONS) {
    assert.ok(after.has(`${m.module}@${m.version}`), `schema step ${m.module}@${m.version} is applied`);
  }
  for (const [step, appliedAt] of before) assert.equal(after.get(step), appliedAt, `${step} is kept as it was`);
  assert.deepEqual(adapter.db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);

  const paths = Object.keys(answers).filter((p) => p !== 'webhook');
  assert.ok(paths.some((p) => p.endsWith('/log')) && paths.some((p) => p.startsWith('jobs/')));
  for (const path of paths) {
    const jobs = path.startsWith('jobs/');
    const url = jobs
      ? `${adapter.url}/api/v1/${path}`
      : `${adapter.url}/patching/api/v1/projects/library/${path}${path.includes('/log') ? '' : '?page_size=100'}`;
    const res = await fetch(url, {
      headers: { authorization: jobs ? `Harbor-Secret ${JOBSERVICE_SECRET}` : admin },
    });
    assert.equal(res.status, 200, `${path}: ${res.status}`);
    const body = path.endsWith('/log') ? await res.text() : await res.json();
    assertContains(body, answers[path], path);
  }
  // Harbor's side of the webhook registration lives in Harbor; the events received live here.
  const webhook = (await (
    await fetch(`${adapter.url}/patching/api/v1/projects/library/webhook`, { headers: { authorization: admin } })
  ).json()) as { recent_events: unknown };
  assertContains(
    webhook.recent_events,
    (answers.webhook as { recent_events: unknown }).recent_events,
    'webhook events',
  );
});

test('a database migrated by a newer release is refused and left as it is', async () => {
  const dataDir = previousDataDir('from-newer');
  const file = join(dataDir, DATABASE_FILE);
  const db = new Database(file);
  db.prepare('INSERT INTO schema_migrations (module, version, description, applied_at) VALUES (?, ?, ?, ?)').run(
    'policies',
    999,
    'a schema step of a newer release',
    new Date().toISOString(),
  );
  db.close();
  const before = schemaSteps(file);
  await assert.rejects(
    start(dataDir),
    /was migrated by a newer release \(schema steps policies@999 .*restore the backup/,
  );
  assert.deepEqual(schemaSteps(file), before);
});
