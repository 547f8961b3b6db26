// @runs-copa
/**
 * Real patches through policies: the adapter in process, the real copa and buildkitd, the real
 * registry behind the Harbor stand-in (which scans with the advisory file and delivers webhooks).
 *  1. A run of a policy patches two copies of the sample image in two repositories; a third copy,
 *     left out by the repository filter, is untouched.
 *  2. An event-based policy patches the sample image after Harbor reports its scan completed
 *     (webhook registered through our API, delivered by the stand-in with the shared secret).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { HarborSim } from '@harbor-patching/harbor-sim';
import { advisoriesPath, RegistryClient, sampleImage } from '@harbor-patching/oci-testkit';
import type { RunningAdapter } from '../../src/app';
import type { Execution, Task } from '../../src/model/execution';
import { startSim, startTestAdapter, tempDir, uniqueProject } from './fixtures';

const SECRET = `hook-${randomBytes(12).toString('hex')}`;
const registry = new RegistryClient();
let sim: HarborSim;
let adapter: RunningAdapter;
let dir: ReturnType<typeof tempDir>;

const alice = `Basic ${Buffer.from('alice:Harbor12345').toString('base64')}`;
const engine = () => adapter.services.patching!.engine;
const runs = () => adapter.services.patching!;

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${adapter.url}/patching/api/v1${path}`, {
    method,
    headers: { authorization: alice, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function waitExecution(id: number, timeoutMs = 600_000): Promise<{ execution: Execution; tasks: Task[] }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    await runs().runner.idle();
    const execution = (await engine().store.getExecution(id))!;
    if (execution.status !== 'Running') return { execution, tasks: await engine().store.tasksOfExecution(id) };
    if (Date.now() > until) throw new Error(`execution ${id} still Running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function newProject(prefix: string): string {
  const name = uniqueProject(prefix);
  sim.addProject(name, { autoScan: false });
  sim.addMember(name, 'alice', 1);
  return name;
}

before(async () => {
  sim = await startSim({ advisoriesFile: advisoriesPath, scanDelayMs: 200 });
  sim.addUser('alice');
  dir = tempDir();
  adapter = await startTestAdapter(sim, dir.path, {
    webhookSecret: SECRET,
    concurrency: 2,
    taskTimeoutSeconds: 600,
    scanTimeoutSeconds: 120,
  });
});

after(async () => {
  await adapter?.close();
  await sim?.close();
  dir?.remove();
});

test('a policy run patches two matching copies of the sample image for real; the filtered one is left alone', async () => {
  const P = newProject('run');
  for (const repo of ['svc-a', 'svc-b', 'legacy']) await registry.copyImage(sampleImage, `${P}/${repo}:1.0`);
  await sim.scan(P, 'svc-a', '1.0'); // the copies share one digest, so one scan covers all three

  const created = await call('POST', `/projects/${P}/policies`, {
    name: 'services',
    filters: [{ type: 'repository', value: `${P}/svc-*` }],
    severity_threshold: 'Low',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));

  const preview = await call('POST', `/projects/${P}/policies/preview`, { policy_id: created.body.id });
  assert.equal(preview.status, 200);
  assert.deepEqual(preview.body.candidates.map((c: { repository: string }) => c.repository).sort(), ['svc-a', 'svc-b']);
  assert.deepEqual(
    preview.body.excluded.map((e: { repository: string; reason: string }) => [e.repository, e.reason]),
    [['legacy', 'FILTERED_REPOSITORY']],
  );

  const run = await call('POST', `/projects/${P}/policies/${created.body.id}/executions`);
  assert.equal(run.status, 201, JSON.stringify(run.body));
  const { execution, tasks } = await waitExecution(run.body.id);
  assert.equal(
    execution.status,
    'Success',
    JSON.stringify(tasks.map((t) => [t.repository, t.status, t.reason, t.status_message])),
  );
  assert.deepEqual(tasks.map((t) => [t.repository, t.status, t.patched_tag]).sort(), [
    ['svc-a', 'Success', '1.0-patched'],
    ['svc-b', 'Success', '1.0-patched'],
  ]);
  for (const t of tasks) {
    assert.equal(await registry.resolve(`${P}/${t.repository}`, '1.0-patched'), t.patched_digest);
    assert.ok((t.fixed_cves ?? []).length > 0, 'the patch fixed CVEs from the advisory file');
  }
  assert.equal(await registry.resolve(`${P}/legacy`, '1.0-patched'), undefined, 'the filtered repository is untouched');
  assert.match(execution.status_message, /2 artifacts selected for patching; 1 left out \(FILTERED_REPOSITORY 1\)/);
});

test('an event-based policy patches the sample image when Harbor reports its scan completed (incremental tags)', async () => {
  const P = newProject('event');
  await registry.copyImage(sampleImage, `${P}/app:1.0`);
  const created = await call('POST', `/projects/${P}/policies`, {
    name: 'on-scan',
    trigger: { type: 'event_based' },
    filters: [{ type: 'tag', value: '1.*' }],
    tag_scheme: 'incremental',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const hook = await call('POST', `/projects/${P}/webhook`);
  assert.equal(hook.status, 201, JSON.stringify(hook.body));

  // Harbor scans (here: asked directly) and delivers SCANNING_COMPLETED to our receiver with the secret.
  await sim.scan(P, 'app', '1.0');
  await sim.waitForWebhooks();
  const delivered = sim.webhookDeliveries().filter((d) => d.event_type === 'SCANNING_COMPLETED' && d.ok);
  assert.ok(delivered.length >= 1, 'the stand-in delivered the scan event and got a 2xx');
  await runs().webhooks.idle();
  const [event] = (await runs().webhooks.store.recent(P, 10)).filter((e) => e.event.type === 'SCANNING_COMPLETED');
  assert.equal(event.status, 'done', event.message);
  const { execution, tasks } = await waitExecution(event.execution_ids[0]);
  assert.equal(execution.trigger, 'EVENT');
  assert.equal(execution.status, 'Success', JSON.stringify(tasks.map((t) => [t.status, t.reason, t.status_message])));
  assert.equal(tasks.length, 1);
  assert.equal(tasks[0].patched_tag, '1.0-patched-1');
  assert.equal(await registry.resolve(`${P}/app`, '1.0-patched-1'), tasks[0].patched_digest);
  // The floating tag follows the newest generation.
  assert.equal(await registry.resolve(`${P}/app`, '1.0-patched'), tasks[0].patched_digest);
  assert.match(tasks[0].status_message, /into 1\.0-patched-1 \(also tagged 1\.0-patched\)\./);

  // The rescan of the patched image (and the push of the floating tag) report back too: both are
  // patched tags, so nothing more runs.
  await sim.waitForWebhooks();
  await runs().webhooks.idle();
  const executions = await engine().store.listExecutions({ project: P, page: 1, page_size: 10 });
  assert.equal(executions.total, 1, 'no loop: the patched image does not trigger another patch');
});
