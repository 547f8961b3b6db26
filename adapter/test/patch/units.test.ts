import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PATCH_OPTIONS, deriveExecutionStatus } from '../../src/model/execution';
import { openDatabase, migrate, sqliteSql } from '../../src/store/db';
import { SqlExecutionStore } from '../../src/store/executions';
import { MIGRATIONS } from '../../src/store/migrations';
import { SqlTaskQueue } from '../../src/store/queue';
import { EXPECTED_COPA_VERTEXES, ProgressTracker, lineSplitter, type SolveStatus } from '../../src/patch/progress';
import { buildUpdateManifest, fixableAtThreshold, fixedCves, summarize } from '../../src/patch/report';
import { isTagImmutable } from '../../src/harbor/immutable';
import { Scrubber } from '../../src/jobs/logs';
import { classifyCopaFailure, copaFoundNothing } from '../../src/patch/copa';
import { parseOsRelease } from '../../src/registry/client';

function store(file = join(mkdtempSync(join(tmpdir(), 'hp-exec-')), 'db.sqlite')) {
  const db = openDatabase(file);
  migrate(db, MIGRATIONS);
  const q = sqliteSql(db);
  return { db, executions: new SqlExecutionStore(q), queue: new SqlTaskQueue(q) };
}

test('queue: claims in order, one task per source artifact at a time', async () => {
  const s = store();
  const e = await s.executions.insertExecution({ project: 'p', trigger: 'MANUAL', options: DEFAULT_PATCH_OPTIONS });
  const a = await s.executions.insertTask({
    execution_id: e.id,
    project: 'p',
    repository: 'app',
    tag: '1',
    source_digest: 'sha256:a',
  });
  const a2 = await s.executions.insertTask({
    execution_id: e.id,
    project: 'p',
    repository: 'app',
    tag: '1b',
    source_digest: 'sha256:a',
  });
  const b = await s.executions.insertTask({
    execution_id: e.id,
    project: 'p',
    repository: 'app',
    tag: '2',
    source_digest: 'sha256:b',
  });
  for (const t of [a, a2, b]) await s.queue.enqueue(t.id);
  const first = (await s.queue.claimNext())!;
  assert.equal(first.id, a.id);
  assert.equal(first.status, 'Running');
  assert.equal(first.attempt, 1);
  // a2 has the same digest as the running task: b goes first.
  assert.equal((await s.queue.claimNext())!.id, b.id);
  assert.equal(await s.queue.claimNext(), undefined);
  await s.executions.updateTask(a.id, { status: 'Success' });
  assert.equal((await s.queue.claimNext())!.id, a2.id);
  assert.deepEqual(await s.queue.queuedTaskIds(), []);
});

test('queue: survives reopening the database; a delayed (backoff) task is not claimed before it is due', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'hp-exec-')), 'db.sqlite');
  const first = store(file);
  const e0 = await first.executions.insertExecution({ project: 'p', trigger: 'ADHOC', options: DEFAULT_PATCH_OPTIONS });
  const queued = await first.executions.insertTask({
    execution_id: e0.id,
    project: 'p',
    repository: 'app',
    source_digest: 'sha256:q',
  });
  await first.queue.enqueue(queued.id);
  first.db.close();
  const s = store(file);
  assert.deepEqual(await s.queue.queuedTaskIds(), [queued.id]);
  assert.equal((await s.queue.claimNext())!.id, queued.id);
  const e = await s.executions.insertExecution({ project: 'p', trigger: 'ADHOC', options: DEFAULT_PATCH_OPTIONS });
  const t = await s.executions.insertTask({
    execution_id: e.id,
    project: 'p',
    repository: 'app',
    source_digest: 'sha256:x',
  });
  await s.queue.enqueue(t.id, Date.now() + 60_000);
  assert.equal(await s.queue.claimNext(), undefined);
  assert.ok((await s.queue.nextDueInMs())! > 50_000);
  assert.equal((await s.queue.claimNext(Date.now() + 61_000))!.id, t.id);
});

test('execution status derives from task counts like Harbor', async () => {
  const m = { total: 3, succeeded: 1, failed: 0, skipped: 1, stopped: 0, running: 0, pending: 0 };
  assert.equal(deriveExecutionStatus({ ...m, running: 1 }), 'Running');
  assert.equal(deriveExecutionStatus({ ...m, pending: 1, failed: 1 }), 'Running');
  assert.equal(deriveExecutionStatus({ ...m, failed: 1, stopped: 1 }), 'Error');
  assert.equal(deriveExecutionStatus({ ...m, stopped: 1 }), 'Stopped');
  assert.equal(deriveExecutionStatus(m), 'Success');

  const s = store();
  const e = await s.executions.insertExecution({ project: 'p', trigger: 'MANUAL', options: DEFAULT_PATCH_OPTIONS });
  const t1 = await s.executions.insertTask({
    execution_id: e.id,
    project: 'p',
    repository: 'r',
    source_digest: 'sha256:1',
  });
  const t2 = await s.executions.insertTask({
    execution_id: e.id,
    project: 'p',
    repository: 'r',
    source_digest: 'sha256:2',
  });
  assert.equal((await s.executions.refreshExecution(e.id))!.status, 'Running');
  const t3 = await s.executions.insertTask({
    execution_id: e.id,
    project: 'p',
    repository: 'r',
    source_digest: 'sha256:3',
  });
  await s.executions.updateTask(t1.id, { status: 'Skipped', reason: 'UP_TO_DATE' });
  await s.executions.updateTask(t2.id, { status: 'Error', reason: 'COPA_FAILED' });
  // Waiting for a retry after a transient failure: its last reason is not an outcome yet.
  await s.executions.updateTask(t3.id, { status: 'Pending', reason: 'HARBOR_UNREACHABLE' });
  assert.deepEqual((await s.executions.refreshExecution(e.id))!.metrics.by_reason, { UP_TO_DATE: 1, COPA_FAILED: 1 });
  await s.executions.updateTask(t3.id, { status: 'Skipped', reason: 'UP_TO_DATE' });
  const after = (await s.executions.refreshExecution(e.id))!;
  assert.equal(after.status, 'Error');
  assert.ok(after.end_time);
  assert.deepEqual(after.metrics, {
    total: 3,
    succeeded: 0,
    failed: 1,
    skipped: 2,
    stopped: 0,
    running: 0,
    pending: 0,
    by_reason: { UP_TO_DATE: 2, COPA_FAILED: 1 },
  });
  assert.deepEqual(after.excluded, {});
  await s.executions.setExecutionExcluded(e.id, { FILTERED_REPOSITORY: 15 });
  assert.deepEqual((await s.executions.getExecution(e.id))!.excluded, { FILTERED_REPOSITORY: 15 });
  assert.equal((await s.executions.listExecutions({ project: 'p', status: 'Error', page: 1, page_size: 10 })).total, 1);
  assert.equal(
    (await s.executions.listTasks({ execution_id: e.id, status: 'Skipped', page: 1, page_size: 10 })).items[0].id,
    t1.id,
  );
});

test('progress: stage from vertexes, fraction from vertexes done and status counters, text lines kept apart', () => {
  const tracker = new ProgressTracker();
  const lines: string[] = [];
  const statuses: SolveStatus[] = [];
  const split = lineSplitter(
    (s) => statuses.push(s),
    (l) => lines.push(l),
  );
  const t0 = '2026-01-01T00:00:00Z';
  split.push(
    'time="x" level=info msg="Loading image"\n{"vertexes":[{"digest":"d1","name":"Resolving image","started":"',
  );
  split.push(
    `${t0}"}]}\n{"vertexes":[{"digest":"d1","name":"Resolving image","started":"${t0}","completed":"2026-01-01T00:00:01Z"},{"digest":"d2","name":"Installing 3 security updates","started":"2026-01-01T00:00:02Z"}],"statuses":[{"id":"s","vertex":"d2","current":25,"total":100,"timestamp":"${t0}"}],"logs":[{"vertex":"d2","stream":1,"data":"${Buffer.from('Unpacking libssl3\n').toString('base64')}"}]}\n`,
  );
  split.end();
  assert.deepEqual(lines, ['time="x" level=info msg="Loading image"']);
  assert.equal(statuses.length, 2);
  // One vertex known and running (half done, no counters), of at least EXPECTED_COPA_VERTEXES.
  assert.deepEqual(tracker.update(statuses[0]).progress, {
    stage: 'Resolving image',
    fraction: 0.5 / EXPECTED_COPA_VERTEXES,
  });
  // One done, one a quarter through its counters.
  const second = tracker.update(statuses[1]);
  assert.deepEqual(second.progress, {
    stage: 'Installing 3 security updates',
    fraction: 1.25 / EXPECTED_COPA_VERTEXES,
  });
  assert.deepEqual(second.output, ['Unpacking libssl3']);
});

test('report: summary, threshold, UpdateManifest v1alpha1 and fixed CVEs', () => {
  const vulns = [
    { id: 'CVE-1', package: 'libssl3', version: '3.0.1', fix_version: '3.0.2', severity: 'High' },
    { id: 'CVE-1', package: 'openssl', version: '3.0.1', fix_version: '3.0.2', severity: 'High' },
    { id: 'CVE-2', package: 'zlib1g', version: '1.2', fix_version: '', severity: 'Critical' },
    { id: 'CVE-3', package: 'tzdata', version: 'a', fix_version: 'b', severity: 'Low' },
  ];
  const s = summarize(vulns);
  assert.equal(s.total, 4);
  assert.equal(s.fixable, 3);
  assert.deepEqual(s.summary, { High: 2, Critical: 1, Low: 1 });
  assert.deepEqual(s.fixable_summary, { High: 2, Low: 1 });
  assert.equal(fixableAtThreshold(vulns, 'Critical').length, 0);
  assert.equal(fixableAtThreshold(vulns, 'Medium').length, 2);
  assert.equal(fixableAtThreshold(vulns, 'None').length, 3);
  const m = buildUpdateManifest({ type: 'debian', version: '12' }, 'amd64', vulns);
  assert.equal(m.apiVersion, 'v1alpha1');
  assert.deepEqual(m.metadata, { os: { type: 'debian', version: '12' }, config: { arch: 'amd64' } });
  assert.deepEqual(
    m.updates.map((u) => u.name),
    ['libssl3', 'openssl', 'tzdata'],
  );
  assert.deepEqual(m.updates[0], {
    name: 'libssl3',
    installedVersion: '3.0.1',
    fixedVersion: '3.0.2',
    vulnerabilityID: 'CVE-1',
  });
  assert.deepEqual(fixedCves(vulns, [vulns[2], vulns[3]]), ['CVE-1']);
});

test('immutable rules: doublestar on repository (without project) and tag, with excludes and disabled rules', () => {
  const rule = (repo: string, tag: string, extra: object = {}) => ({
    scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: repo }] },
    tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: tag }],
    ...extra,
  });
  assert.equal(isTagImmutable([rule('**', '*-patched')], 'team/app', '1.0-patched'), true);
  assert.equal(isTagImmutable([rule('app', '*-patched')], 'team/app', '1.0-patched'), false);
  assert.equal(isTagImmutable([rule('**', '{1.0,2.0}-patched')], 'app', '2.0-patched'), true);
  assert.equal(isTagImmutable([rule('**', '**', { disabled: true })], 'app', '1.0-patched'), false);
  const excl = rule('**', '*-patched');
  excl.tag_selectors[0].decoration = 'excludes';
  assert.equal(isTagImmutable([excl], 'app', '1.0-patched'), false);
  assert.equal(isTagImmutable([excl], 'app', '1.0'), true);
});

test('scrubber removes secrets in all the forms they travel in', () => {
  const s = Scrubber.forCredentials('robot$svc', 'S3cretValue');
  const basic = Buffer.from('robot$svc:S3cretValue').toString('base64');
  const out = s.scrub(`pw=S3cretValue auth ${basic} Authorization: Bearer abc.def {"auth":"xyz"} ?token=tok&x=1`);
  assert.ok(!out.includes('S3cretValue'));
  assert.ok(!out.includes(basic));
  assert.ok(!out.includes('abc.def'));
  assert.ok(!out.includes('xyz'));
  assert.ok(!out.includes('tok&'));
});

test('copa failure classification and the no-update case', () => {
  assert.equal(
    classifyCopaFailure([
      'Error: failed to connect to buildkit: connection error: desc = "transport: Error while dialing: dial unix /x.sock: connect: connection refused"',
    ]).code,
    'BUILDKIT_UNREACHABLE',
  );
  assert.equal(classifyCopaFailure(['Error: patch exceeded timeout 5m0s']).code, 'TIMEOUT');
  assert.equal(classifyCopaFailure(['failed to push: 401 Unauthorized']).code, 'REGISTRY_AUTH');
  assert.equal(classifyCopaFailure(['Error: something odd']).code, 'COPA_FAILED');
  const realm = classifyCopaFailure([
    'Error: failed to get manifest 127.0.0.1:8380/library/app:1: GET http://127.0.0.1:8380/v2/library/app/manifests/1: invalid realm in www-authenticate: realm host "127.0.0.1" is a private or link-local address',
  ]);
  assert.equal(realm.code, 'TOKEN_REALM_REFUSED');
  assert.equal(realm.realmHost, '127.0.0.1');
  assert.equal(realm.transient, false);
  assert.equal(copaFoundNothing(['level=info msg="Image is already up-to-date. No patch was applied."']), true);
});

test('os-release parsing', () => {
  assert.deepEqual(parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n'), {
    id: 'debian',
    version_id: '12',
    pretty_name: 'Debian GNU/Linux 12 (bookworm)',
  });
  assert.equal(parseOsRelease('NAME=x\n'), undefined);
});
