/**
 * The policy-runs API on the whole adapter over the Harbor stand-in: preview (stored and draft),
 * run now, stop, disabled policies, schedules with a controllable clock, the webhook receiver's
 * secret check, webhook registration in Harbor, and scan/push events starting event runs.
 * Images here are tiny synthetic ones (their tasks end without copa); real patches are in copa.test.ts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { HarborSim } from '@harbor-patching/e2e/harbor-sim';
import { buildkitAddr, copaPath } from '@harbor-patching/e2e/lib/stack';
import { startAdapter, type RunningAdapter } from '../../src/app';
import type { PolicyRunsModule } from '../../src/policies/module';
import { createPolicyScheduler } from '../../src/policies/module';
import type { TickResult } from '../../src/scheduler/scheduler';
import type { PatchModule } from '../../src/jobs/module';
import { pushArtifact, ROBOT, setScanResult, startSim, tempDir, uniqueProject } from './fixtures';

const SECRET = `hook-${randomBytes(12).toString('hex')}`;
const P = uniqueProject('api');
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

const runs = () => adapter.ctx.services.policyRuns as PolicyRunsModule;
const engine = () => (adapter.ctx.services.patch as PatchModule).engine;

async function createPolicy(body: Record<string, unknown>) {
  const res = await call('POST', '/policies', 'alice', body);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { id: number; name: string };
}

async function waitFinal(executionId: number, timeoutMs = 60_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await runs().runner.idle();
    const e = engine().store.getExecution(executionId)!;
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
  sim.addMember(P, 'alice', 1);
  sim.addMember(P, 'dave', 2);
  digests = {
    a: await pushArtifact(`${P}/web/a`, ['1.0']),
    b: await pushArtifact(`${P}/web/b`, ['1.0']),
    c: await pushArtifact(`${P}/tools/c`, ['1.0']),
  };
  setScanResult(sim, digests.a, [{ severity: 'High', fixable: true }]);
  setScanResult(sim, digests.b, [{ severity: 'Low', fixable: true }]);
  setScanResult(sim, digests.c, [{ severity: 'Critical', fixable: true }]);
  dir = tempDir();
  adapter = await startAdapter({
    port: 0,
    harborUrl: sim.url,
    robotName: ROBOT.name,
    robotSecret: ROBOT.secret,
    dataDir: dir.path,
    webhookSecret: SECRET,
    copaPath,
    buildkitAddr,
    logLevel: 'silent',
    concurrency: 1,
  });
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
    assert.equal(res.body.counts.by_reason.BELOW_THRESHOLD, 1);
    assert.equal(res.body.counts.by_reason.FILTERED_REPOSITORY, 1);
    const reasons = res.body.excluded
      .map((e: { repository: string; reason: string }) => `${e.repository}:${e.reason}`)
      .sort();
    assert.deepEqual(reasons, ['tools/c:FILTERED_REPOSITORY', 'web/b:BELOW_THRESHOLD']);
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
    const tasks = engine().store.tasksOfExecution(res.body.id);
    assert.deepEqual(
      tasks.map((t) => [t.repository, t.tag, t.source_digest]),
      [['web/a', '1.0', digests.a]],
    );
    const e = await waitFinal(res.body.id);
    assert.match(
      e.status_message,
      /1 artifact selected for patching; 2 left out \(FILTERED_REPOSITORY 1, BELOW_THRESHOLD 1\)/,
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
    assert.deepEqual(res.body.excluded, { FILTERED_REPOSITORY: 1, BELOW_THRESHOLD: 1 });
    // The synthetic image's task ends without copa; whatever its reason, it is counted under it.
    const tasks = engine().store.tasksOfExecution(started.body.id);
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
      const e = engine().createExecution({ project: P, trigger: 'ADHOC' });
      const t = engine().addTask(e.id, { repository: 'web/a', tag: '1.0', digest: digests.a }, { enqueue: false });
      engine().store.updateTask(t.id, {
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
    const e = engine().createExecution({ project: P, policy_id: p.id, trigger: 'MANUAL' });
    adapter.db
      .prepare('INSERT INTO policy_run_selection (execution_id, policy_id, started_at) VALUES (?, ?, ?)')
      .run(e.id, p.id, new Date().toISOString());
    runs().runner.recover();
    const after = engine().store.getExecution(e.id)!;
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
    const listed = engine().store.listExecutions({ project: P, policy_id: p.id, page: 1, page_size: 10 });
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
      engine()
        .store.tasksOfExecution(res.body.id)
        .every((t) => t.status !== 'Pending' && t.status !== 'Running'),
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
    const scheduler = createPolicyScheduler(adapter.db, adapter.ctx.policies, runs().runner, { now: () => clock });
    const mine = (rs: TickResult[]) => rs.filter((r) => r.policy_id === p.id);
    assert.deepEqual(mine(await scheduler.tick()), []);
    clock = new Date('2031-05-01T03:00:01Z');
    const fired = mine(await scheduler.tick());
    assert.equal(fired.length, 1);
    assert.equal(fired[0].outcome, 'STARTED');
    const first = engine().store.getExecution(fired[0].execution_id!)!;
    assert.equal(first.trigger, 'SCHEDULE');
    assert.equal(first.policy_id, p.id);
    await runs().runner.idle();
    assert.deepEqual(
      engine()
        .store.tasksOfExecution(first.id)
        .map((t) => t.repository),
      ['tools/c'],
    );

    await waitFinal(first.id);
    // Next day while another run of the policy is still going (it has just started selecting): skipped.
    const manual = runs().runner.start(adapter.ctx.policies.getById(p.id)!, 'MANUAL');
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
    const listed = engine().store.listExecutions({ project: P, policy_id: p.id, page: 1, page_size: 10 });
    assert.equal(listed.total, 3, 'two scheduled runs and the manual one; none for the skipped slot');

    // Disabling cancels the schedule.
    assert.equal((await call('POST', `/policies/${p.id}/disable`, 'alice')).status, 200);
    clock = new Date('2031-05-06T03:00:00Z');
    assert.deepEqual(mine(await scheduler.tick()), []);
    assert.equal((await call('GET', `/policies/${p.id}/schedule`, 'alice')).body.next_run_time, null);
  });
});

describe('webhooks', () => {
  const deliver = (authorization: string | undefined, body: unknown) =>
    fetch(`${adapter.url}/patching/webhooks/harbor`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body),
    });
  const scanEvent = (repository: string, digest: string, tag: string) => ({
    type: 'SCANNING_COMPLETED',
    occur_at: Math.floor(Date.now() / 1000),
    operator: 'auto',
    event_data: {
      resources: [{ digest, tag, resource_url: `x/${P}/${repository}:${tag}` }],
      repository: { name: repository, namespace: P, repo_full_name: `${P}/${repository}`, repo_type: 'private' },
      scan: { scan_type: 'vulnerability' },
    },
  });

  test('a delivery without the shared secret is refused with 401', async () => {
    const event = scanEvent('web/a', digests.a, '1.0');
    const unauthenticated = await deliver(undefined, event);
    assert.equal(unauthenticated.status, 401);
    assert.doesNotMatch(await unauthenticated.text(), new RegExp(SECRET));
    assert.equal((await deliver('Bearer wrong-secret', event)).status, 401);
    assert.equal((await deliver(`Bearer ${SECRET}x`, event)).status, 401);
    const ok = await deliver(`Bearer ${SECRET}`, { type: 'PULL_ARTIFACT', event_data: {} });
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
      const res = await deliver(`Bearer ${SECRET}`, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(
        ((await res.json()) as { errors: { message: string }[] }).errors[0].message,
        /the event names no (repository|artifact)/,
      );
    }
  });

  test('registration creates, then updates, Harbor webhook policy; the secret is never shown', async () => {
    const before = await call('GET', '/webhook', 'alice');
    assert.equal(before.status, 200);
    assert.equal(before.body.registered, false);
    assert.equal((await call('POST', '/webhook', 'dave')).status, 403);
    const created = await call('POST', '/webhook', 'alice');
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.address, `${adapter.url}/patching/webhooks/harbor`);
    const project = sim.state.findProject(P, true)!;
    const stored = sim.state.webhookPolicies.filter((w) => w.project_id === project.project_id);
    assert.equal(stored.length, 1);
    assert.equal(stored[0].targets[0].auth_header, `Bearer ${SECRET}`);
    assert.deepEqual([...stored[0].event_types].sort(), ['PUSH_ARTIFACT', 'SCANNING_COMPLETED']);
    const again = await call('POST', '/webhook', 'alice');
    assert.equal(again.status, 200);
    assert.equal(sim.state.webhookPolicies.filter((w) => w.project_id === project.project_id).length, 1);
    const shown = await call('GET', '/webhook', 'alice');
    assert.equal(shown.body.registered, true);
    assert.equal(shown.body.address_matches, true);
    assert.ok(!JSON.stringify(shown.body).includes(SECRET), 'the secret never appears in the API');
  });

  test("the receiver answers at once (well within Harbor's 3 s) and records the event before handling it", async () => {
    const started = performance.now();
    const res = await deliver(`Bearer ${SECRET}`, scanEvent('tools/c', digests.c, '1.0'));
    const ms = performance.now() - started;
    assert.equal(res.status, 200);
    assert.ok(ms < 1000, `answered in ${Math.round(ms)} ms`);
    const { event_id } = (await res.json()) as { event_id: number };
    assert.ok(runs().webhooks.store.get(event_id), 'stored before the answer');
    await runs().webhooks.idle();
    assert.equal(runs().webhooks.store.get(event_id)!.status, 'ignored', 'no event-based policy yet');
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
      const res = await deliver(`Bearer ${SECRET}`, scanEvent(repo, d, '1.0'));
      assert.equal(res.status, 200);
    }
    await runs().webhooks.idle();
    const events = runs().webhooks.store.recent(P, 3).reverse();
    assert.deepEqual(
      events.map((e) => [e.event.repository, e.status]),
      [
        ['web/a', 'done'],
        ['web/b', 'ignored'],
        ['tools/c', 'ignored'],
      ],
    );
    assert.match(events[1].message, /BELOW_THRESHOLD/);
    const execution = engine().store.getExecution(events[0].execution_ids[0])!;
    assert.equal(execution.trigger, 'EVENT');
    assert.deepEqual(
      engine()
        .store.tasksOfExecution(execution.id)
        .map((t) => [t.repository, t.tag, t.source_digest]),
      [['web/a', '1.0', digests.a]],
    );
    await waitFinal(execution.id);
  });

  test('a push into a project without scan-on-push asks Harbor to scan the artifact', async () => {
    const d = await pushArtifact(`${P}/web/fresh`, ['2.0']);
    const res = await deliver(`Bearer ${SECRET}`, {
      type: 'PUSH_ARTIFACT',
      occur_at: Math.floor(Date.now() / 1000),
      operator: 'alice',
      event_data: {
        resources: [{ digest: d, tag: '2.0', resource_url: `x/${P}/web/fresh:2.0` }],
        repository: { name: 'web/fresh', namespace: P, repo_full_name: `${P}/web/fresh`, repo_type: 'private' },
      },
    });
    assert.equal(res.status, 200);
    await runs().webhooks.idle();
    const [event] = runs().webhooks.store.recent(P, 1);
    assert.equal(event.status, 'done', event.message);
    assert.ok(sim.state.scans.get(d), 'Harbor was asked to scan the pushed artifact');
    // A patched tag pushed by patching itself does not trigger anything.
    await deliver(`Bearer ${SECRET}`, {
      type: 'PUSH_ARTIFACT',
      event_data: {
        resources: [{ digest: d, tag: '2.0-patched' }],
        repository: { name: 'web/fresh', namespace: P, repo_full_name: `${P}/web/fresh` },
      },
    });
    await runs().webhooks.idle();
    assert.equal(runs().webhooks.store.recent(P, 1)[0].status, 'ignored');
  });
});
