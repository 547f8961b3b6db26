/**
 * The insights API end to end over the Harbor stand-in (demo seed: alice project admin, gina guest, lena
 * limited guest of "library"; admin is a system admin): who may read what, JSON and CSV, the backlog and its
 * coverage by policies, the per-execution report, and bad input. The history is written into the adapter's
 * database through the executions store, as the engine writes it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEFAULT_PATCH_OPTIONS } from '../../src/model/execution';
import { SqlExecutionStore } from '../../src/store/executions';
import { sqliteSql } from '../../src/store/db';
import { csvCell, toCsv } from '../../src/insights/csv';
import { anonymous, API, basic, startCore, type Core } from '../harness';

let core: Core;
let executionId: number;
const today = new Date().toISOString().slice(0, 10);
const base = `${API}/projects/library/insights`;

before(async () => {
  core = await startCore();
  core.sim.addUser('zed');
  const store = new SqlExecutionStore(sqliteSql(core.adapter.db));
  const e = await store.insertExecution({ project: 'library', trigger: 'MANUAL', options: DEFAULT_PATCH_OPTIONS });
  executionId = e.id;
  const end = new Date().toISOString();
  const outcomes = [
    { repository: 'sample-app', status: 'Success', reason: null, fixed: ['CVE-2026-1', 'CVE-2026-2'] },
    { repository: 'team/web', status: 'Skipped', reason: 'UP_TO_DATE', fixed: [] },
    { repository: 'team/web', status: 'Error', reason: 'COPA_FAILED', fixed: [] },
  ] as const;
  for (const [i, o] of outcomes.entries()) {
    const t = await store.insertTask({
      execution_id: e.id,
      project: 'library',
      repository: o.repository,
      tag: `1.${i}`,
      source_digest: `sha256:${String(i).repeat(64)}`,
    });
    await store.updateTask(t.id, {
      status: o.status,
      reason: o.reason,
      start_time: new Date(Date.now() - 90_000).toISOString(),
      end_time: end,
      fixed_cves: [...o.fixed],
      vulnerabilities_before:
        o.status === 'Success'
          ? { total: 10, fixable: 4, summary: { High: 6, Low: 4 }, fixable_summary: { High: 3, Low: 1 } }
          : null,
      vulnerabilities_after:
        o.status === 'Success'
          ? { total: 6, fixable: 1, summary: { High: 3, Low: 3 }, fixable_summary: { High: 1 } }
          : null,
    });
  }
  await store.refreshExecution(e.id);
});
after(async () => {
  await core?.close();
});

test('a project admin reads the project insights: totals, outcomes, reasons, policies, backlog', async () => {
  const res = await basic(core.adapter.url, 'alice').call('GET', base);
  assert.equal(res.status, 200, res.text);
  const i = res.body;
  assert.equal(i.project, 'library');
  assert.equal(i.to, today);
  assert.equal(i.bucket, 'day');
  assert.deepEqual([i.totals.tasks, i.totals.succeeded, i.totals.skipped, i.totals.failed], [3, 1, 1, 1]);
  assert.equal(i.totals.fixed_cves, 2);
  assert.deepEqual([i.totals.fixable_before.High, i.totals.fixable_after.High], [3, 1]);
  assert.deepEqual(i.outcomes, [
    {
      period: today,
      succeeded: 1,
      skipped: 1,
      failed: 1,
      stopped: 0,
      fixed_cves: 2,
      by_reason: { COPA_FAILED: 1, UP_TO_DATE: 1 },
    },
  ]);
  assert.equal(i.reasons.length, 2);
  assert.equal(i.backlog_error, null);
  assert.ok(i.backlog, 'the backlog is read from Harbor');
  assert.equal(i.backlog.severity, 'High');
  assert.ok(i.vulnerabilities?.now, 'the vulnerabilities now come from Harbor');
  assert.equal(i.vulnerabilities.now.day, today);
});

test('the backlog leaves out repositories an enabled policy covers', async () => {
  const alice = basic(core.adapter.url, 'alice');
  const low = (await alice.call('GET', `${base}?severity=Low`)).body.backlog;
  const work = low.uncovered + low.covered;
  const created = await alice.call('POST', `${API}/projects/library/policies`, {
    body: { name: 'all-repos', filters: [{ type: 'repository', value: 'library/**' }] },
  });
  assert.equal(created.status, 201, created.text);
  const covered = (await alice.call('GET', `${base}?severity=Low`)).body;
  assert.equal(covered.backlog.uncovered, 0);
  assert.equal(covered.backlog.covered, work);
  assert.deepEqual(covered.backlog.repositories, []);
  assert.deepEqual(
    covered.policies.map((p: { name: string; enabled: boolean }) => [p.name, p.enabled]),
    [['all-repos', true]],
  );
  await alice.call('POST', `${API}/projects/library/policies/${created.body.id}/disable`);
  const uncovered = (await alice.call('GET', `${base}?severity=Low`)).body.backlog;
  assert.equal(uncovered.uncovered, work);
});

test('guests read the insights with the backlog (scan:read); non-members get 404, anonymous 401', async () => {
  for (const user of ['gina', 'lena']) {
    const res = await basic(core.adapter.url, user).call('GET', base);
    assert.equal(res.status, 200, `${user}: ${res.text}`);
    assert.equal(res.body.totals.tasks, 3);
    assert.ok(res.body.backlog, `${user} sees the backlog`);
  }
  assert.equal((await basic(core.adapter.url, 'zed').call('GET', base)).status, 404);
  assert.equal((await anonymous(core.adapter.url).call('GET', base)).status, 401);
});

test('the system view is for Harbor system admins only', async () => {
  const denied = await basic(core.adapter.url, 'alice').call('GET', `${API}/insights`);
  assert.equal(denied.status, 403);
  assert.match(denied.body.errors[0].message, /system admins/);
  const res = await basic(core.adapter.url, 'admin').call('GET', `${API}/insights`);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.totals.tasks, 3);
  const library = res.body.projects.find((p: { project: string }) => p.project === 'library');
  assert.deepEqual([library.tasks, library.succeeded, library.fixed_cves], [3, 1, 2]);
  assert.equal(typeof library.fixable_now, 'number', 'the snapshot taken when the overview was read');
  assert.equal(res.body.service.slots, core.adapter.config.concurrency);
  assert.equal(res.body.service.running, 0);
  assert.equal(res.body.service.median_task_seconds, 90);
});

test('CSV export: outcomes, reasons, backlog and projects tables with a header and one row per item', async () => {
  const alice = basic(core.adapter.url, 'alice');
  const outcomes = await alice.call('GET', `${base}?format=csv`);
  assert.equal(outcomes.status, 200);
  assert.match(outcomes.headers.get('content-type') ?? '', /^text\/csv/);
  assert.match(outcomes.headers.get('content-disposition') ?? '', /attachment; filename="insights-library-outcomes-/);
  assert.equal(
    outcomes.text,
    `period,succeeded,skipped,failed,stopped,fixed_cves,COPA_FAILED,UP_TO_DATE\r\n${today},1,1,1,0,2,1,1\r\n`,
  );
  const reasons = await alice.call('GET', `${base}?format=csv&table=reasons`);
  assert.equal(reasons.text.split('\r\n')[0], 'status,reason,count');
  const backlog = await alice.call('GET', `${base}?format=csv&table=backlog&severity=Critical`);
  assert.equal(backlog.status, 200, backlog.text);
  assert.equal(
    backlog.text.split('\r\n')[0],
    'repository,artifacts,fixable,at_or_above,critical,high,medium,low,negligible,unknown',
  );
  const projects = await basic(core.adapter.url, 'admin').call('GET', `${API}/insights?format=csv&table=projects`);
  assert.equal(projects.status, 200);
  const [header, ...rows] = projects.text.trim().split('\r\n');
  assert.equal(
    header,
    'project,tasks,succeeded,skipped,failed,stopped,fixed_cves,fixable_now,snapshot_day,last_execution',
  );
  assert.ok(rows.some((r) => r.startsWith('library,3,1,1,1,0,2,')));
});

test('CSV cells: commas, quotes and line breaks quoted as RFC 4180 says; formulas defused', () => {
  assert.equal(csvCell('team, web'), '"team, web"');
  assert.equal(csvCell('say "hi"'), '"say ""hi"""');
  assert.equal(csvCell('two\nlines'), '"two\nlines"');
  assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvCell('@cmd'), "'@cmd");
  assert.equal(csvCell(-3), '-3');
  assert.equal(csvCell(null), '');
  assert.equal(toCsv(['a', 'b'], [['x,y', 1]]), 'a,b\r\n"x,y",1\r\n');
});

test("an execution's report as JSON and CSV; another project's execution is not found", async () => {
  const alice = basic(core.adapter.url, 'alice');
  const json = await alice.call('GET', `${API}/projects/library/executions/${executionId}/report`);
  assert.equal(json.status, 200, json.text);
  assert.equal(json.body.execution.id, executionId);
  assert.equal(json.body.rows.length, 3);
  const csv = await alice.call('GET', `${API}/projects/library/executions/${executionId}/report?format=csv`);
  const lines = csv.text.trim().split('\r\n');
  assert.equal(
    lines[0],
    'task_id,repository,tag,source_digest,status,reason,patched_tag,patched_digest,fixable_before,fixable_after,' +
      'critical_before,high_before,medium_before,low_before,critical_after,high_after,medium_after,low_after,' +
      'fixed_cve_count,fixed_cves,end_time',
  );
  const success = lines.find((l) => l.includes(',Success,'))!;
  assert.match(success, /,sample-app,1\.0,sha256:0+,Success,,,,4,1,0,6,0,4,0,3,0,3,2,CVE-2026-1 CVE-2026-2,/);
  core.sim.addProject('other', { owner: 'admin' });
  const missing = await basic(core.adapter.url, 'admin').call(
    'GET',
    `${API}/projects/other/executions/${executionId}/report`,
  );
  assert.equal(missing.status, 404);
});

test('bad input is a 400 naming the parameter', async () => {
  const alice = basic(core.adapter.url, 'alice');
  const cases: [string, string][] = [
    ['from=2026-03-10&to=2026-03-01', 'query.from'],
    ['from=2026-02-30', 'query.from'],
    ['from=2020-01-01&to=2026-01-01', 'query.from'],
    ['format=xml', 'query.format'],
    ['bucket=month', 'query.bucket'],
    ['severity=None', 'query.severity'],
  ];
  for (const [query, field] of cases) {
    const res = await alice.call('GET', `${base}?${query}`);
    assert.equal(res.status, 400, `${query}: ${res.text}`);
    assert.equal(res.body.errors[0].field, field, query);
  }
});
