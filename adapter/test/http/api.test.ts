/**
 * The policy-runs API on the whole adapter over the Harbor stand-in: preview (stored and draft),
 * run now, stop, disabled policies, schedules with a controllable clock, the webhook receiver's
 * per-project credential check, webhook registration in Harbor, scan/push events starting event runs,
 * and events Harbor does not confirm being dropped.
 * Images here are tiny synthetic ones (their tasks end without copa); real patches are in copa.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { HarborSim } from '@harbor-patching/harbor-sim';
import type { RunningAdapter } from '../../src/app';
import { createLogger } from '../../src/http/observability';
import { projectWebhookCredential } from '../../src/webhooks/credential';
import { createPolicyScheduler } from '../../src/wiring';
import { sqliteSql } from '../../src/store/db';
import type { TickResult } from '../../src/scheduler/scheduler';
import { pushArtifact, setScanResult, startSim, startTestAdapter, tempDir, uniqueProject } from '../policies/fixtures';

const SECRET = `hook-${randomBytes(12).toString('hex')}`;
const P = uniqueProject('api');
/** Another project, whose users have nothing to do with P's. */
const B = uniqueProject('victim');
/** Warnings the adapter logged (JSON lines). */
const warnings: Record<string, unknown>[] = [];
let sim: HarborSim;
let adapter: RunningAdapter;
let dir: ReturnType<typeof tempDir>;
let digests: Record<string, string>;

const basic = (user: string) => `Basic ${Buffer.from(`${user}:Harbor12345`).toString('base64')}`;
const api = (path: string) => `${adapter.url}/patching/api/v1/projects/${P}${path}`;

async function call(method: string, path: string, user = 'alice', body?: unknown) {
  const res = await fetch(api(path), {
    method,
    headers: { authorization: basic(user), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

const runs = () => adapter.services.patching!;
const engine = () => adapter.services.patching!.engine;

async function createPolicy(body: Record<string, unknown>) {
  const res = await call('POST', '/policies', 'alice', body);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { id: number; name: string };
}

async function waitFinal(executionId: number, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await runs().runner.idle();
    const e = (await engine().store.getExecution(executionId))!;
    if (e.status !== 'Running') return e;
    if (Date.now() > until) throw new Error(`execution ${executionId} still Running`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  sim = await startSim();
  sim.addProject(P);
  sim.addUser('alice');
  sim.addUser('dave');
  sim.addUser('mona');
  sim.addUser('bob');
  sim.addMember(P, 'alice', 1);
  sim.addMember(P, 'dave', 2);
  sim.addMember(P, 'mona', 4);
  sim.addProject(B);
  sim.addMember(B, 'bob', 1);
  digests = {
    a: await pushArtifact(`${P}/web/a`, ['1.0']),
    b: await pushArtifact(`${P}/web/b`, ['1.0']),
    c: await pushArtifact(`${P}/tools/c`, ['1.0']),
  };
  setScanResult(sim, digests.a, [{ severity: 'High', fixable: true }]);
  setScanResult(sim, digests.b, [{ severity: 'Low', fixable: true }]);
  setScanResult(sim, digests.c, [{ severity: 'Critical', fixable: true }]);
  dir = tempDir();
  const logStream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) warnings.push(JSON.parse(line));
      done();
    },
  });
  adapter = await startTestAdapter(
    sim,
    dir.path,
    { webhookSecret: SECRET, concurrency: 1 },
    { logger: createLogger('warn', logStream) },
  );
});

after(async () => {
  await adapter?.close();
  await sim?.close();
  dir?.remove();
});

describe('dry-run preview', () => {
  test('a stored policy: candidates, exclusions with reasons, complete counts', async () => {
    const p = await createPolicy({
      name: 'web-high',
      filters: [{ type: 'repository', value: `${P}/web/**` }],
      severity_threshold: 'High',
    });
    const res = await call('POST', '/policies/preview', 'alice', { policy_id: p.id });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.policy_id, p.id);
    assert.deepEqual(
      res.body.candidates.map((c: { repository: string; tag: string; digest: string }) => [
        c.repository,
        c.tag,
        c.digest,
      ]),
      [['web/a', '1.0', digests.a]],
    );
    assert.equal(res.body.counts.candidates, 1);
    assert.equal(res.body.counts.by_reason.NOTHING_FIXABLE, 1, 'fixable, but below the threshold');
    assert.equal(res.body.counts.by_reason.FILTERED_REPOSITORY, 1);
    const reasons = res.body.excluded
      .map((e: { repository: string; reason: string }) => `${e.repository}:${e.reason}`)
      .sort();
    assert.deepEqual(reasons, ['tools/c:FILTERED_REPOSITORY', 'web/b:NOTHING_FIXABLE']);
    assert.ok(res.body.harbor_requests >= 3);
    assert.equal(res.body.truncated, false);
  });

  test('a draft (no name): validated with the shared rules, lists bounded by limit, counts complete', async () => {
    const draft = { filters: [{ type: 'tag', value: '1.*' }], severity_threshold: 'Low' };
    const res = await call('POST', '/policies/preview?limit=1', 'alice', draft);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.draft, true);
    assert.equal(res.body.counts.candidates, 3);
    assert.equal(res.body.candidates.length, 1);
    assert.equal(res.body.truncated, true);

    const bad = await call('POST', '/policies/preview', 'alice', {
      filters: [{ type: 'tag', value: '(', syntax: 'regex' }],
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].field, 'filters[0].value');
    const missing = await call('POST', '/policies/preview', 'alice', { policy_id: 999999 });
    assert.equal(missing.status, 404);
  });

  test('needs project admin', async () => {
    const res = await call('POST', '/policies/preview', 'dave', { filters: [] });
    assert.equal(res.status, 403);
  });
});

describe('run now', () => {
  test('creates a MANUAL execution with one task per candidate', async () => {
    const p = await createPolicy({
      name: 'run-web',
      filters: [{ type: 'repository', value: `${P}/web/*` }],
      severity_threshold: 'Medium',
    });
    const res = await call('POST', `/policies/${p.id}/executions`, 'alice');
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.trigger, 'MANUAL');
    assert.equal(res.body.policy_id, p.id);
    assert.match(res.headers.get('location') ?? '', new RegExp(`/executions/${res.body.id}$`));
    await runs().runner.idle();
    const tasks = await engine().store.tasksOfExecution(res.body.id);
    assert.deepEqual(
      tasks.map((t) => [t.repository, t.tag, t.source_digest]),
      [['web/a', '1.0', digests.a]],
    );
    const e = await waitFinal(res.body.id);
    assert.match(
      e.status_message,
      /1 artifact selected for patching; 2 left out \(FILTERED_REPOSITORY 1, NOTHING_FIXABLE 1\)/,
    );
  });

  test('the execution counts what its selection left out and why its tasks did not succeed, per reason', async () => {
    const p = await createPolicy({
      name: 'run-counts',
      filters: [{ type: 'repository', value: `${P}/web/*` }],
      severity_threshold: 'Medium',
    });
    const started = await call('POST', `/policies/${p.id}/executions`, 'alice');
    assert.equal(started.status, 201, JSON.stringify(started.body));
    assert.deepEqual(started.body.excluded, {}, 'nothing is counted before the selection ran');
    await waitFinal(started.body.id);
    const res = await call('GET', `/executions/${started.body.id}`, 'dave');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.excluded, { FILTERED_REPOSITORY: 1, NOTHING_FIXABLE: 1 });
    // The synthetic image's task ends without copa; whatever its reason, it is counted under it.
    const tasks = await engine().store.tasksOfExecution(started.body.id);
    assert.equal(tasks.length, 1);
    assert.notEqual(tasks[0].status, 'Success');
    assert.deepEqual(res.body.metrics.by_reason, { [tasks[0].reason!]: 1 });
    const listed = await call('GET', `/executions?policy_id=${p.id}`, 'dave');
    assert.deepEqual(listed.body[0].excluded, res.body.excluded);
    assert.deepEqual(listed.body[0].metrics.by_reason, res.body.metrics.by_reason);

    // An ad-hoc patch has no selection: nothing left out.
    const adhoc = await call('POST', '/repositories/web%252Fb/artifacts/1.0/patch', 'alice', {});
    assert.equal(adhoc.status, 202, JSON.stringify(adhoc.body));
    assert.deepEqual(adhoc.body.excluded, {});
    await waitFinal(adhoc.body.id);
  });

  test('a patched image leads back to the newest successful task that produced it', async () => {
    const patched = `sha256:${'ab'.repeat(32)}`;
    const other = `sha256:${'cd'.repeat(32)}`;
    const made: number[] = [];
    for (let i = 0; i < 2; i++) {
      const e = await engine().createExecution({ project: P, trigger: 'ADHOC' });
      const t = await engine().addTask(
        e.id,
        { repository: 'web/a', tag: '1.0', digest: digests.a },
        { enqueue: false },
      );
      await engine().store.updateTask(t.id, {
        status: 'Success',
        patched_tag: '1.0-patched',
        patched_digest: patched,
        vex: { '@context': 'https://openvex.dev/ns/v0.2.0', statements: [] },
      });
      made.push(t.id);
    }
    const found = await call('GET', `/tasks?patched_digest=${patched}&patched_digest=${other}`, 'dave');
    assert.equal(found.status, 200, JSON.stringify(found.body));
    assert.deepEqual(
      found.body.map((t: { id: number; repository: string; tag: string; source_digest: string; has_vex: boolean }) => [
        t.id,
        t.repository,
        t.tag,
        t.source_digest,
        t.has_vex,
      ]),
      [[made[1], 'web/a', '1.0', digests.a, true]],
    );
    const elsewhere = await call('GET', `/tasks?patched_digest=${patched}&repository=web%2Fb`, 'dave');
    assert.deepEqual(elsewhere.body, []);
    const bad = await call('GET', '/tasks?patched_digest=latest', 'dave');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].field, 'query.patched_digest[0]');
    assert.equal((await call('GET', '/tasks', 'dave')).status, 400);
  });

  test('executions sort by id or start time, newest first by default', async () => {
    const ids = (body: { id: number }[]) => body.map((e) => e.id);
    const newest = await call('GET', '/executions?page_size=100', 'dave');
    const byId = await call('GET', '/executions?page_size=100&sort=id', 'dave');
    const byStart = await call('GET', '/executions?page_size=100&sort=start_time', 'dave');
    const byStartDesc = await call('GET', '/executions?page_size=100&sort=-start_time', 'dave');
    assert.ok(newest.body.length >= 2);
    assert.deepEqual(
      ids(newest.body),
      [...ids(newest.body)].sort((a, b) => b - a),
    );
    assert.deepEqual(ids(byId.body), [...ids(newest.body)].reverse());
    const starts = (body: { start_time: string }[]) => body.map((e) => e.start_time);
    assert.deepEqual(starts(byStart.body), [...starts(byStart.body)].sort());
    assert.deepEqual(starts(byStartDesc.body), [...starts(byStart.body)].reverse());
    const bad = await call('GET', '/executions?sort=status', 'dave');
    assert.equal(bad.status, 400);
  });

  test('a selection cut short by a restart is ended as Error at start, never left Running', async () => {
    const p = await createPolicy({ name: 'interrupted' });
    const e = await engine().createExecution({ project: P, policy_id: p.id, trigger: 'MANUAL' });
    adapter.db
      .prepare('INSERT INTO policy_run_selection (execution_id, policy_id, started_at) VALUES (?, ?, ?)')
      .run(e.id, p.id, new Date().toISOString());
    await runs().runner.recover();
    const after = (await engine().store.getExecution(e.id))!;
    assert.equal(after.status, 'Error');
    assert.match(after.status_message, /restarted while it was selecting artifacts.*Run the policy again/);
  });

  test('a developer may not run a policy; a disabled policy cannot run (409)', async () => {
    const p = await createPolicy({ name: 'off', enabled: false });
    assert.equal((await call('POST', `/policies/${p.id}/executions`, 'dave')).status, 403);
    const res = await call('POST', `/policies/${p.id}/executions`, 'alice');
    assert.equal(res.status, 409);
    assert.match(res.body.errors[0].message, /disabled.*Enable it first/);
  });

  test('a second run now while the first is still going is refused with 409 naming the running execution', async () => {
    const p = await createPolicy({ name: 'one-at-a-time', filters: [{ type: 'repository', value: `${P}/web/*` }] });
    const first = await call('POST', `/policies/${p.id}/executions`, 'alice');
    assert.equal(first.status, 201);
    const second = await call('POST', `/policies/${p.id}/executions`, 'alice');
    assert.equal(second.status, 409, JSON.stringify(second.body));
    assert.equal(second.body.errors[0].code, 'CONFLICT');
    assert.match(
      second.body.errors[0].message,
      new RegExp(`"one-at-a-time" is already running as execution ${first.body.id}\\..*stop it`),
    );
    const listed = await engine().store.listExecutions({ project: P, policy_id: p.id, page: 1, page_size: 10 });
    assert.deepEqual(
      listed.items.map((e) => e.id),
      [first.body.id],
      'no second execution was created',
    );

    await waitFinal(first.body.id);
    const again = await call('POST', `/policies/${p.id}/executions`, 'alice');
    assert.equal(again.status, 201, 'a finished run no longer blocks the policy');
    await waitFinal(again.body.id);
  });

  test('stop ends the run: no task keeps running', async () => {
    const p = await createPolicy({ name: 'to-stop' });
    const res = await call('POST', `/policies/${p.id}/executions`, 'alice');
    assert.equal(res.status, 201);
    const stop = await call('POST', `/executions/${res.body.id}/stop`, 'alice');
    assert.equal(stop.status, 200, JSON.stringify(stop.body));
    const e = await waitFinal(res.body.id);
    assert.equal(e.status, 'Stopped');
    assert.ok(
      (await engine().store.tasksOfExecution(res.body.id)).every(
        (t) => t.status !== 'Pending' && t.status !== 'Running',
      ),
    );
  });
});

describe('schedules', () => {
  test('a scheduled policy fires from its cron with a controllable clock, never overlaps, and catches up once', async () => {
    const p = await createPolicy({
      name: 'nightly',
      trigger: { type: 'scheduled', cron: '0 0 3 * * *' },
      filters: [{ type: 'repository', value: `${P}/tools/**` }],
    });
    const schedule = await call('GET', `/policies/${p.id}/schedule`, 'dave');
    assert.equal(schedule.status, 200);
    assert.equal(schedule.body.cron, '0 0 3 * * *');
    assert.match(schedule.body.next_run_time, /T03:00:00\.000Z$/);

    // The adapter's own scheduler runs on real time over the same tables: only the test's clock here.
    await runs().scheduler.stop();
    let clock = new Date('2031-05-01T02:59:00Z');
    const scheduler = createPolicyScheduler(sqliteSql(adapter.db), adapter.services.policyStore, runs().runner, {
      now: () => clock,
    });
    const mine = (rs: TickResult[]) => rs.filter((r) => r.policy_id === p.id);
    assert.deepEqual(mine(await scheduler.tick()), []);
    clock = new Date('2031-05-01T03:00:01Z');
    const fired = mine(await scheduler.tick());
    assert.equal(fired.length, 1);
    assert.equal(fired[0].outcome, 'STARTED');
    const first = (await engine().store.getExecution(fired[0].execution_id!))!;
    assert.equal(first.trigger, 'SCHEDULE');
    assert.equal(first.policy_id, p.id);
    await runs().runner.idle();
    assert.deepEqual(
      (await engine().store.tasksOfExecution(first.id)).map((t) => t.repository),
      ['tools/c'],
    );

    await waitFinal(first.id);
    // Next day while another run of the policy is still going (it has just started selecting): skipped.
    const manual = await runs().runner.start((await adapter.services.policyStore.getById(p.id))!, 'MANUAL');
    clock = new Date('2031-05-02T03:00:05Z');
    const skipped = mine(await scheduler.tick());
    assert.equal(skipped.length, 1);
    assert.equal(skipped[0].outcome, 'SKIPPED');
    assert.equal(skipped[0].execution_id, null);
    await waitFinal(manual.id);
    const log = (await call('GET', `/policies/${p.id}/schedule`, 'alice')).body.recent;
    assert.deepEqual(
      log.map((l: { outcome: string }) => l.outcome),
      ['SKIPPED', 'STARTED'],
    );

    // Down for three days: one catch-up run for the latest slot.
    clock = new Date('2031-05-05T09:00:00Z');
    const caught = mine(await scheduler.tick());
    assert.equal(caught.length, 1);
    assert.equal(caught[0].slot, '2031-05-05T03:00:00.000Z');
    assert.deepEqual(mine(await scheduler.tick()), []);
    await waitFinal(caught[0].execution_id!);
    const listed = await engine().store.listExecutions({ project: P, policy_id: p.id, page: 1, page_size: 10 });
    assert.equal(listed.total, 3, 'two scheduled runs and the manual one; none for the skipped slot');

    // Disabling cancels the schedule.
    assert.equal((await call('POST', `/policies/${p.id}/disable`, 'alice')).status, 200);
    clock = new Date('2031-05-06T03:00:00Z');
    assert.deepEqual(mine(await scheduler.tick()), []);
    assert.equal((await call('GET', `/policies/${p.id}/schedule`, 'alice')).body.next_run_time, null);
  });
});

describe('webhooks', async () => {
  const deliver = (authorization: string | undefined, body: unknown) =>
    fetch(`${adapter.url}/patching/webhooks/harbor`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body),
    });
  const projectId = (name: string) => sim.state.findProject(name, true)!.project_id;
  /** The Authorization header Harbor sends for project `name` once the webhook is registered there. */
  const hook = (name = P) => `Bearer ${projectWebhookCredential(SECRET, projectId(name))}`;
  // Each delivery here is another Harbor event, so each has its own occur_at (Harbor's same event is stored once).
  let occurAt = Math.floor(Date.now() / 1000);
  const event = (
    type: string,
    project: string,
    repository: string,
    resources: { digest: string; tag?: string }[],
    extra: Record<string, unknown> = {},
  ) => ({
    type,
    occur_at: occurAt++,
    operator: 'auto',
    event_data: {
      resources: resources.map((r) => ({ ...r, resource_url: `x/${project}/${repository}:${r.tag ?? r.digest}` })),
      repository: {
        name: repository,
        namespace: project,
        repo_full_name: `${project}/${repository}`,
        repo_type: 'private',
      },
      ...extra,
    },
  });
  const scanEvent = (repository: string, digest: string, tag: string, project = P) =>
    event('SCANNING_COMPLETED', project, repository, [{ digest, tag }], { scan: { scan_type: 'vulnerability' } });
  const storedRows = () => (adapter.db.prepare('SELECT COUNT(*) AS n FROM webhook_events').get() as { n: number }).n;
  const executionsOf = async (project: string) =>
    (await engine().store.listExecutions({ project, page: 1, page_size: 100 })).total;

  test('a delivery without a valid project credential is refused with 401', async () => {
    const body = scanEvent('web/a', digests.a, '1.0');
    const unauthenticated = await deliver(undefined, body);
    assert.equal(unauthenticated.status, 401);
    assert.doesNotMatch(await unauthenticated.text(), new RegExp(SECRET));
    assert.equal((await deliver('Bearer wrong-secret', body)).status, 401);
    assert.equal((await deliver(`${hook()}0`, body)).status, 401);
    const flipped = hook().replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    assert.equal((await deliver(flipped, body)).status, 401, 'one changed character of the MAC');
    const ok = await deliver(hook(), { type: 'PULL_ARTIFACT', event_data: {} });
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { accepted: boolean }).accepted, false);
  });

  test('a payload with fields of the wrong type is a 400 naming what is missing, never a 500', async () => {
    const base = scanEvent('web/a', digests.a, '1.0');
    const malformed = [
      { ...base, event_data: { ...base.event_data, repository: { repo_full_name: 5 } } },
      { ...base, event_data: { ...base.event_data, repository: 'library/app' } },
      { ...base, event_data: { ...base.event_data, resources: 'x' } },
      { ...base, event_data: { ...base.event_data, resources: [{ digest: { a: 1 }, tag: 7 }] } },
      { ...base, event_data: null },
    ];
    for (const body of malformed) {
      const res = await deliver(hook(), body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(
        ((await res.json()) as { errors: { message: string }[] }).errors[0].message,
        /the event names no (repository|artifact)/,
      );
    }
  });

  test('names, tags and digests are checked against Harbor grammar before anything is stored (400 naming the field)', async () => {
    const before = storedRows();
    const good = { digest: digests.a, tag: '1.0' };
    const cases: [unknown, string][] = [
      [
        event('SCANNING_COMPLETED', P, 'web/a', [{ digest: 'sha256:zz', tag: '1.0' }]),
        'event_data.resources[0].digest',
      ],
      [
        event('SCANNING_COMPLETED', P, 'web/a', [good, { digest: digests.a.toUpperCase() }]),
        'event_data.resources[1].digest',
      ],
      [event('SCANNING_COMPLETED', P, 'web/a', [{ digest: digests.a, tag: '../x' }]), 'event_data.resources[0].tag'],
      [event('SCANNING_COMPLETED', P, '../other/app', [good]), 'event_data.repository.repo_full_name'],
      [event('SCANNING_COMPLETED', P, 'web//a', [good]), 'event_data.repository.repo_full_name'],
      [event('SCANNING_COMPLETED', P, 'web/./a', [good]), 'event_data.repository.repo_full_name'],
      [event('SCANNING_COMPLETED', P, 'Web/A', [good]), 'event_data.repository.repo_full_name'],
      [event('SCANNING_COMPLETED', P, 'web/a', [good, 'x' as never]), 'event_data.resources[1].digest'],
      [
        {
          ...scanEvent('web/a', digests.a, '1.0'),
          event_data: {
            resources: [good],
            repository: { name: 'web/a', namespace: B, repo_full_name: `${P}/web/a` },
          },
        },
        'event_data.repository',
      ],
    ];
    for (const [body, field] of cases) {
      const res = await deliver(hook(), body);
      const answer = (await res.json()) as { errors: { field?: string; message: string }[] };
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(answer.errors[0].field, field, JSON.stringify(answer));
    }
    assert.equal(storedRows(), before, 'no event of a refused delivery was stored');
  });

  test('registration stores the project credential in Harbor webhook policy, never the service secret', async () => {
    const before = await call('GET', '/webhook', 'alice');
    assert.equal(before.status, 200);
    assert.equal(before.body.registered, false);
    assert.equal((await call('POST', '/webhook', 'dave')).status, 403);
    const created = await call('POST', '/webhook', 'alice');
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.address, `${adapter.url}/patching/webhooks/harbor`);
    assert.equal(created.body.credential_current, true);
    const stored = sim.state.webhookPolicies.filter((w) => w.project_id === projectId(P));
    assert.equal(stored.length, 1);
    assert.equal(stored[0].targets[0].auth_header, hook(P));
    assert.ok(!stored[0].targets[0].auth_header!.includes(SECRET), 'the service secret is not in Harbor');
    assert.notEqual(hook(P), hook(B), 'each project has its own credential');
    assert.deepEqual([...stored[0].event_types].sort(), [
      'PUSH_ARTIFACT',
      'SCANNING_COMPLETED',
      'SCANNING_FAILED',
      'SCANNING_STOPPED',
    ]);
    const again = await call('POST', '/webhook', 'alice');
    assert.equal(again.status, 200);
    assert.equal(sim.state.webhookPolicies.filter((w) => w.project_id === projectId(P)).length, 1);
    const shown = await call('GET', '/webhook', 'alice');
    assert.equal(shown.body.registered, true);
    assert.equal(shown.body.address_matches, true);
    assert.equal(shown.body.credential_current, true);
    assert.ok(!JSON.stringify(shown.body).includes(SECRET), 'the secret never appears in the API');
    assert.ok(!JSON.stringify(shown.body).includes(hook(P).slice(7)), 'nor the credential');
  });

  test('a registration holding the old service-wide secret is refused, logged, and reported as "register again"', async () => {
    const policy = sim.state.webhookPolicies.find((w) => w.project_id === projectId(P))!;
    policy.targets[0].auth_header = `Bearer ${SECRET}`;
    const status = await call('GET', '/webhook', 'alice');
    assert.equal(status.body.registered, true);
    assert.equal(status.body.credential_current, false);
    const rows = storedRows();
    const refused = await deliver(`Bearer ${SECRET}`, scanEvent('web/a', digests.a, '1.0'));
    assert.equal(refused.status, 401);
    const message = ((await refused.json()) as { errors: { message: string }[] }).errors[0].message;
    assert.match(message, /service-wide secret.*no longer accepted.*Re-register/);
    assert.doesNotMatch(message, new RegExp(SECRET));
    assert.equal(storedRows(), rows);
    const logged = warnings.find((w) => /service-wide secret/.test(String(w.msg)));
    assert.ok(logged, 'the refusal is logged');
    assert.equal(logged.project, P);
    assert.ok(!JSON.stringify(warnings).includes(SECRET), 'the secret is never logged');

    const reregistered = await call('POST', '/webhook', 'alice');
    assert.equal(reregistered.status, 200);
    assert.equal(reregistered.body.credential_current, true);
    assert.equal(policy.targets[0].auth_header, hook(P));
  });

  test('an event naming a project the service cannot confirm in Harbor is refused like a foreign one, nothing stored', async () => {
    const rows = storedRows();
    const res = await deliver(
      hook(),
      event('PUSH_ARTIFACT', 'ghost-project', 'app', [{ digest: digests.a, tag: '1.0' }]),
    );
    assert.equal(res.status, 401);
    assert.match(JSON.stringify(await res.json()), /could not be confirmed for project ghost-project/);
    assert.equal(storedRows(), rows, 'nothing stored');
  });

  test("a maintainer of A reads A's webhook credential from Harbor and forges events for B: 401, nothing stored, nothing run", async () => {
    // B has an event-based policy and a fixable image: a forged scan event would patch it.
    const victim = await pushArtifact(`${B}/app`, ['1.0']);
    setScanResult(sim, victim, [{ severity: 'Critical', fixable: true }]);
    const policy = await fetch(`${adapter.url}/patching/api/v1/projects/${B}/policies`, {
      method: 'POST',
      headers: { authorization: basic('bob'), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'b-on-scan', trigger: { type: 'event_based' } }),
    });
    assert.equal(policy.status, 201, await policy.text());

    // What every maintainer of A may read in Harbor (notification-policy:list).
    const listed = await fetch(`${sim.url}/api/v2.0/projects/${P}/webhook/policies`, {
      headers: { authorization: basic('mona') },
    });
    assert.equal(listed.status, 200);
    const [registration] = (await listed.json()) as { targets: { auth_header: string }[] }[];
    const stolen = registration.targets[0].auth_header;
    assert.ok(stolen, "mona can read A's auth header");

    const rows = storedRows();
    const scansBefore = sim.state.scans.size;
    const forged = [
      scanEvent('app', victim, '1.0', B),
      event('PUSH_ARTIFACT', B, 'app', [{ digest: victim, tag: '1.0' }]),
      // Both projects in one delivery: the repository names one project only, and that is B.
      event('SCANNING_COMPLETED', B, 'app', [{ digest: victim }, { digest: digests.a }]),
    ];
    for (const body of forged) {
      const res = await deliver(stolen, body);
      assert.equal(res.status, 401, JSON.stringify(body));
      assert.match(
        ((await res.json()) as { errors: { message: string }[] }).errors[0].message,
        new RegExp(`speaks for project id ${projectId(P)}, not for project ${B}`),
      );
    }
    await runs().webhooks.idle();
    assert.equal(storedRows(), rows, 'nothing stored');
    assert.equal((await runs().webhooks.store.recent(B, 10)).length, 0);
    assert.equal(await executionsOf(B), 0, 'nothing run in B');
    assert.equal(sim.state.scans.size, scansBefore, 'no scan asked in B');
    assert.ok(
      warnings.some((w) => /another project's/.test(String(w.msg)) && w.project === B),
      'the refusal is logged',
    );

    // B's own credential (Harbor would send it once B registers the webhook) is accepted.
    const own = await deliver(hook(B), scanEvent('app', victim, '1.0', B));
    assert.equal(own.status, 200);
    await runs().webhooks.idle();
    const [accepted] = await runs().webhooks.store.recent(B, 1);
    assert.equal(accepted.status, 'done', accepted.message);
    await waitFinal(accepted.execution_ids[0]);
  });

  test("the receiver answers at once (well within Harbor's 3 s) and records the event before handling it", async () => {
    const started = performance.now();
    const res = await deliver(hook(), scanEvent('tools/c', digests.c, '1.0'));
    const ms = performance.now() - started;
    assert.equal(res.status, 200);
    assert.ok(ms < 1000, `answered in ${Math.round(ms)} ms`);
    const { event_id } = (await res.json()) as { event_id: number };
    assert.ok(await runs().webhooks.store.get(event_id), 'stored before the answer');
    await runs().webhooks.idle();
    assert.equal((await runs().webhooks.store.get(event_id))!.status, 'ignored', 'no event-based policy yet');
  });

  test('a scan-completed event starts an EVENT execution for a matching artifact only', async () => {
    await createPolicy({
      name: 'on-scan',
      trigger: { type: 'event_based' },
      filters: [{ type: 'repository', value: `${P}/web/**` }],
      severity_threshold: 'High',
    });
    for (const [repo, d] of [
      ['web/a', digests.a],
      ['web/b', digests.b],
      ['tools/c', digests.c],
    ]) {
      const res = await deliver(hook(), scanEvent(repo, d, '1.0'));
      assert.equal(res.status, 200);
    }
    await runs().webhooks.idle();
    const events = (await runs().webhooks.store.recent(P, 3)).reverse();
    assert.deepEqual(
      events.map((e) => [e.event.repository, e.status]),
      [
        ['web/a', 'done'],
        ['web/b', 'ignored'],
        ['tools/c', 'ignored'],
      ],
    );
    assert.match(events[1].message, /NOTHING_FIXABLE.*at or above High/);
    const execution = (await engine().store.getExecution(events[0].execution_ids[0]))!;
    assert.equal(execution.trigger, 'EVENT');
    assert.deepEqual(
      (await engine().store.tasksOfExecution(execution.id)).map((t) => [t.repository, t.tag, t.source_digest]),
      [['web/a', '1.0', digests.a]],
    );
    await waitFinal(execution.id);
  });

  test('an event Harbor does not confirm (unknown digest, digest of another repository, wrong tag) is dropped with a logged reason', async () => {
    const unknown = `sha256:${'0'.repeat(64)}`;
    const executions = await executionsOf(P);
    const cases: [unknown, RegExp][] = [
      [scanEvent('web/a', unknown, '1.0'), new RegExp(`Harbor has no artifact ${P}/web/a@${unknown}`)],
      // A real digest of this project, named under another repository.
      [scanEvent('web/a', digests.c, '1.0'), new RegExp(`Harbor has no artifact ${P}/web/a@${digests.c}`)],
      [scanEvent('web/a', digests.a, '9.9'), new RegExp(`tag 9.9 is not on artifact ${P}/web/a@${digests.a}`)],
      [
        event('PUSH_ARTIFACT', P, 'web/a', [{ digest: unknown, tag: '1.0' }]),
        new RegExp(`Harbor has no artifact ${P}/web/a@${unknown}`),
      ],
    ];
    for (const [body, reason] of cases) {
      const res = await deliver(hook(), body);
      assert.equal(res.status, 200, 'the credential is right: accepted, then checked');
      const { event_id } = (await res.json()) as { event_id: number };
      await runs().webhooks.idle();
      const stored = (await runs().webhooks.store.get(event_id))!;
      assert.equal(stored.status, 'dropped', stored.message);
      assert.match(stored.message, reason);
      assert.equal(stored.execution_ids.length, 0);
      const logged = warnings.find((w) => w.event_id === event_id);
      assert.ok(logged, 'the drop is logged');
      assert.match(String(logged.reason), reason);
    }
    assert.equal(await executionsOf(P), executions, 'nothing ran');
    const shown = await call('GET', '/webhook', 'alice');
    assert.equal(shown.body.recent_events[0].status, 'dropped');
  });

  test('every artifact of resources[] is handled on its own', async () => {
    const one = await pushArtifact(`${P}/web/multi`, ['1.0']);
    const two = await pushArtifact(`${P}/web/multi`, ['2.0']);
    const low = await pushArtifact(`${P}/web/multi`, ['3.0']);
    setScanResult(sim, one, [{ severity: 'High', fixable: true }]);
    setScanResult(sim, two, [{ severity: 'Critical', fixable: true }]);
    setScanResult(sim, low, [{ severity: 'Low', fixable: true }]);
    const unknown = `sha256:${'1'.repeat(64)}`;
    const res = await deliver(
      hook(),
      event(
        'SCANNING_COMPLETED',
        P,
        'web/multi',
        [
          { digest: one, tag: '1.0' },
          { digest: two, tag: '2.0' },
          { digest: low, tag: '3.0' },
          { digest: unknown, tag: '4.0' },
        ],
        { scan: { scan_type: 'vulnerability' } },
      ),
    );
    assert.equal(res.status, 200);
    const { event_ids } = (await res.json()) as { event_ids: number[] };
    assert.equal(event_ids.length, 4);
    await runs().webhooks.idle();
    const handled = await Promise.all(event_ids.map(async (id) => (await runs().webhooks.store.get(id))!));
    assert.deepEqual(
      handled.map((e) => [e.event.digest, e.event.tag, e.status]),
      [
        [one, '1.0', 'done'],
        [two, '2.0', 'done'],
        [low, '3.0', 'ignored'],
        [unknown, '4.0', 'dropped'],
      ],
    );
    for (const [i, digest] of [one, two].entries()) {
      const execution = handled[i].execution_ids[0];
      assert.deepEqual(
        (await engine().store.tasksOfExecution(execution)).map((t) => [t.repository, t.source_digest]),
        [['web/multi', digest]],
      );
      await waitFinal(execution);
    }
  });

  test('a push into a project without scan-on-push asks Harbor to scan the artifact', async () => {
    const d = await pushArtifact(`${P}/web/fresh`, ['2.0']);
    const res = await deliver(hook(), event('PUSH_ARTIFACT', P, 'web/fresh', [{ digest: d, tag: '2.0' }]));
    assert.equal(res.status, 200);
    await runs().webhooks.idle();
    const [pushed] = await runs().webhooks.store.recent(P, 1);
    assert.equal(pushed.status, 'done', pushed.message);
    assert.ok(sim.state.scans.get(d), 'Harbor was asked to scan the pushed artifact');
    // A patched tag pushed by patching itself does not trigger anything.
    await pushArtifact(`${P}/web/fresh`, ['2.0-patched'], { seed: 'patched' });
    const patched = (await (
      await fetch(`${sim.url}/api/v2.0/projects/${P}/repositories/web%252Ffresh/artifacts/2.0-patched`, {
        headers: { authorization: basic('alice') },
      })
    ).json()) as { digest: string };
    await deliver(hook(), event('PUSH_ARTIFACT', P, 'web/fresh', [{ digest: patched.digest, tag: '2.0-patched' }]));
    await runs().webhooks.idle();
    const [last] = await runs().webhooks.store.recent(P, 1);
    assert.equal(last.status, 'ignored', last.message);
    // Nor does a tag of cosign's scheme (a signature the service or anyone else pushed).
    const sigTag = `${d.replace(':', '-')}.sig`;
    const sig = await pushArtifact(`${P}/web/fresh`, [sigTag], { seed: 'signature' });
    await deliver(hook(), event('PUSH_ARTIFACT', P, 'web/fresh', [{ digest: sig, tag: sigTag }]));
    await runs().webhooks.idle();
    const [signature] = await runs().webhooks.store.recent(P, 1);
    assert.equal(signature.status, 'ignored', signature.message);
    assert.match(signature.message, /cosign signature/);
  });

  test('a push into a project whose Harbor has no scanner is ignored with the reason, not failed', async () => {
    const d = await pushArtifact(`${P}/web/unscannable`, ['3.0']);
    sim.setScanner(P, false);
    try {
      const res = await deliver(hook(), {
        type: 'PUSH_ARTIFACT',
        occur_at: Math.floor(Date.now() / 1000),
        operator: 'alice',
        event_data: {
          resources: [{ digest: d, tag: '3.0', resource_url: `x/${P}/web/unscannable:3.0` }],
          repository: { name: 'web/unscannable', namespace: P, repo_full_name: `${P}/web/unscannable` },
        },
      });
      assert.equal(res.status, 200);
      await runs().webhooks.idle();
      const [event] = await runs().webhooks.store.recent(P, 1);
      assert.equal(event.status, 'ignored', event.message);
      assert.match(event.message, /no vulnerability scanner for project/);
    } finally {
      sim.setScanner(P, true);
    }
  });
});
