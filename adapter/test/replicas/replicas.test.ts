// @runs-copa
/**
 * Three real adapter processes on one PostgreSQL database, the real copa on the stack's two buildkitds:
 *  1. a policy run over 6 copies of the sample image, one replica killed (SIGKILL) while its copa runs and
 *     started again: every task ends, each patched tag is pushed once, nothing stays Running, and no copa
 *     process of the killed replica outlives its restart;
 *  2. a schedule slot and a webhook event that reach all three replicas start one execution each;
 *  3. 300 ad-hoc patch requests at once for 3 artifacts, spread over the replicas, make 3 tasks.
 * Leases are 5 s so that a take-over is quick.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { HarborSim } from '@harbor-patching/harbor-sim';
import { advisoriesPath, logsDir, RegistryClient, sampleImage } from '@harbor-patching/oci-testkit';
import { WEBHOOK_PATH } from '../../src/http/webhooks';
import { webhookAuthHeader } from '../../src/webhooks/credential';
import { pushArtifact, ROBOT, startSim, uniqueProject } from '../policies/fixtures';
import {
  alive,
  api,
  copaChildrenOf,
  copaProcesses,
  startReplicas,
  twoBuildkitds,
  waitFor,
  type Replica,
  type ReplicaSet,
} from './harness';

/** Copies of the sample image in the policy run: enough that a replica is killed with tasks still to run. */
const COPIES = 6;
const SECRET = `hook-${randomBytes(12).toString('hex')}`;
const registry = new RegistryClient();
const registryLog = join(logsDir, 'registry.log');
let sim: HarborSim;
let set: ReplicaSet;
let replicas: Replica[];
/**
 * The scheduled policy of test 2, made first so that its first slot passes while test 1 runs; disabled as soon as
 * that slot's execution shows (before the next slot), so that test 2 counts the executions of one slot.
 */
let scheduled: { project: string; policyId: number; firstSlot: Promise<void> };

const q = async <T = any>(text: string, values: unknown[] = []): Promise<T[]> =>
  (await set.db.query(text, values)).rows as T[];

function newProject(prefix: string): string {
  return newProjectWithId(prefix).name;
}

function newProjectWithId(prefix: string): { name: string; id: number } {
  const name = uniqueProject(prefix);
  const project = sim.addProject(name, { autoScan: false });
  sim.addMember(name, 'alice', 1);
  return { name, id: project.project_id };
}

/** Registry log lines written since `from` (a byte offset). */
function registryLogSince(from: number): string {
  if (!existsSync(registryLog)) return '';
  const size = statSync(registryLog).size;
  const buf = Buffer.alloc(Math.max(0, size - from));
  const fd = openSync(registryLog, 'r');
  try {
    readSync(fd, buf, 0, buf.length, from);
  } finally {
    closeSync(fd);
  }
  return buf.toString('utf8');
}

before(async () => {
  const [bk1, bk2] = twoBuildkitds();
  sim = await startSim({ advisoriesFile: advisoriesPath, scanDelayMs: 200 });
  sim.addUser('alice');
  set = await startReplicas(3, {
    PATCHING_HARBOR_URL: sim.url,
    PATCHING_ROBOT_NAME: ROBOT.name,
    PATCHING_ROBOT_SECRET: ROBOT.secret,
    PATCHING_WEBHOOK_SECRET: SECRET,
    PATCHING_BUILDKIT_ADDR: `${bk1}=1,${bk2}=1`,
    PATCHING_LEASE_SECONDS: '5',
    PATCHING_TASK_TIMEOUT: '900',
    PATCHING_SCAN_TIMEOUT: '120',
    PATCHING_LOG_LEVEL: 'info',
  });
  replicas = set.replicas;
  // Test 2's schedule: every minute, over a filter that matches nothing (its execution ends at once).
  const project = newProject('sched');
  const created = await api(replicas[0].url, 'POST', `/projects/${project}/policies`, {
    name: 'every-minute',
    trigger: { type: 'scheduled', cron: '0 * * * * *' },
    filters: [{ type: 'repository', value: `${project}/nothing-*` }],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const policyId: number = created.body.id;
  const firstSlot = (async () => {
    await waitFor(
      'the first scheduled execution',
      async () => (await q(`SELECT id FROM patch_executions WHERE policy_id = $1`, [policyId])).length > 0,
      180_000,
      500,
    );
    // Test 1 kills a replica meanwhile: ask the first one that answers.
    const off = await waitFor(
      'a replica to disable the scheduled policy',
      async () => {
        for (const r of replicas) {
          const answer = await api(r.url, 'POST', `/projects/${project}/policies/${policyId}/disable`).catch(
            () => undefined, // that replica is down or restarting
          );
          if (answer) return answer;
        }
        return undefined;
      },
      30_000,
      200,
    );
    assert.equal(off.status, 200, JSON.stringify(off.body));
  })();
  firstSlot.catch(() => undefined); // awaited (and reported) by test 2
  scheduled = { project, policyId, firstSlot };
});

after(async () => {
  await set?.close();
  await sim?.close();
});

test(`a policy run over ${COPIES} images on 3 replicas survives a replica killed during copa`, async (ctx) => {
  const P = newProject('run');
  const repos = Array.from({ length: COPIES }, (_, i) => `svc-${String(i).padStart(2, '0')}`);
  for (const repo of repos) await registry.copyImage(sampleImage, `${P}/${repo}:1.0`);
  await sim.scan(P, repos[0], '1.0'); // the copies share one digest: one scan covers all
  const logFrom = existsSync(registryLog) ? statSync(registryLog).size : 0;

  const created = await api(replicas[0].url, 'POST', `/projects/${P}/policies`, {
    name: 'all-services',
    filters: [{ type: 'repository', value: `${P}/svc-*` }],
    severity_threshold: 'Low',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const run = await api(replicas[1].url, 'POST', `/projects/${P}/policies/${created.body.id}/executions`);
  assert.equal(run.status, 201, JSON.stringify(run.body));
  const executionId: number = run.body.id;

  // The victim: the first replica seen running copa for one of this run's tasks.
  const { victim, copaPids } = await waitFor(
    'a replica running copa',
    () => {
      for (const r of replicas) {
        const pids = copaChildrenOf(r).filter((pid) =>
          copaProcesses().some((p) => p.pid === pid && p.command.includes(P)),
        );
        if (pids.length) return { victim: r, copaPids: pids };
      }
      return undefined;
    },
    600_000,
    200,
  );
  await victim.kill9();
  // Its copa processes were left running: the restarted replica (same id) must end them.
  await new Promise((r) => setTimeout(r, 2000));
  await victim.start();
  await waitFor(
    `the killed replica's copa processes (${copaPids.join(', ')}) to end`,
    () => !copaPids.some(alive),
    60_000,
  );

  // Every task ends; interrupted ones (if the engine ends them so) are patched again by a re-run.
  const settled = () =>
    q<{ n: string }>(
      `SELECT count(*) AS n FROM patch_tasks t WHERE t.project = $1 AND t.status IN ('Pending', 'Running')`,
      [P],
    );
  await waitFor('every task of the run to end', async () => Number((await settled())[0].n) === 0, 1_200_000, 1000);
  const interrupted = await q<{ repository: string }>(
    `SELECT repository FROM patch_tasks WHERE project = $1 AND reason = 'INTERRUPTED'`,
    [P],
  );
  for (const { repository } of interrupted) {
    const again = await api(
      replicas[2].url,
      'POST',
      `/projects/${P}/repositories/${repository}/artifacts/1.0/patch`,
      {},
    );
    assert.equal(again.status, 202, JSON.stringify(again.body));
  }
  ctx.diagnostic(`killed ${victim.id} during copa; ${interrupted.length} task(s) ended INTERRUPTED and were run again`);
  await waitFor('the re-runs to end', async () => Number((await settled())[0].n) === 0, 1_200_000, 1000);

  const tasks = await q<{
    id: number;
    execution_id: number;
    repository: string;
    status: string;
    reason: string | null;
    status_message: string;
    patched_digest: string | null;
  }>(
    `SELECT id, execution_id, repository, status, reason, status_message, patched_digest FROM patch_tasks
      WHERE project = $1 ORDER BY id`,
    [P],
  );
  const summary = JSON.stringify(tasks.map((t) => [t.id, t.repository, t.status, t.reason, t.status_message]));
  assert.equal(
    tasks.filter((t) => t.execution_id === executionId).length,
    COPIES,
    `one task per image in the run: ${summary}`,
  );
  for (const repo of repos) {
    const mine = tasks.filter((t) => t.repository === repo);
    const last = mine[mine.length - 1];
    // An interrupted copa may have pushed before it was killed: then the re-run finds the patch there already.
    assert.ok(
      last.status === 'Success' ||
        (last.status === 'Skipped' && ['UP_TO_DATE', 'ALREADY_PATCHED'].includes(last.reason!)),
      `${repo} ends patched: ${summary}`,
    );
    const ok = mine.filter((t) => t.status === 'Success');
    assert.ok(ok.length <= 1, `${repo} patched once: ${summary}`);
    const tag = await registry.resolve(`${P}/${repo}`, '1.0-patched');
    assert.ok(tag, `${repo}:1.0-patched exists`);
    if (ok.length) assert.equal(tag, ok[0].patched_digest, repo);
    for (const t of mine.slice(0, -1))
      assert.equal(t.reason, 'INTERRUPTED', `${repo}: only an interruption comes before the last task: ${summary}`);
  }
  const execution = (await q(`SELECT status FROM patch_executions WHERE id = $1`, [executionId]))[0];
  assert.notEqual(execution.status, 'Running');
  assert.deepEqual(
    await q(`SELECT task_id FROM patch_queue q JOIN patch_tasks t ON t.id = q.task_id WHERE t.project = $1`, [P]),
    [],
    'nothing left in the queue',
  );

  // Each patched tag reached the registry once (copa pushes it; a second copa would push it again).
  const log = registryLogSince(logFrom);
  assert.ok(log.length > 0, `the registry log ${registryLog} is read to count pushes`);
  for (const repo of repos) {
    const uri = new RegExp(`http\\.request\\.uri="?/v2/${P}/${repo}/manifests/1\\.0-patched[" ]`);
    const puts = log
      .split('\n')
      .filter((l) => l.includes('msg="response completed"') && l.includes('http.request.method=PUT') && uri.test(l));
    assert.equal(puts.length, 1, `${repo}:1.0-patched pushed once, not ${puts.length} times`);
  }
  assert.deepEqual(
    copaProcesses().filter((p) => p.command.includes(P)),
    [],
    'no copa process of this run is left',
  );
});

test('a schedule slot and a webhook event seen by all three replicas start one execution each', async () => {
  // The schedule's first slot: every replica has ticked (every 10 s) at least twice since.
  await scheduled.firstSlot;
  await new Promise((r) => setTimeout(r, 25_000));
  const runs = await q(`SELECT id, trigger FROM patch_executions WHERE policy_id = $1`, [scheduled.policyId]);
  assert.equal(runs.length, 1, `one execution for the slot: ${JSON.stringify(runs)}`);
  assert.equal(runs[0].trigger, 'SCHEDULE');

  // The webhook: Harbor holds one webhook policy per replica, so each replica receives the scan event.
  const { name: W, id: projectId } = newProjectWithId('hook');
  for (const r of replicas)
    sim.addWebhookPolicy(W, {
      address: `${r.url}${WEBHOOK_PATH}`,
      authHeader: webhookAuthHeader(SECRET, projectId),
      events: ['SCANNING_COMPLETED'],
    });
  const created = await api(replicas[0].url, 'POST', `/projects/${W}/policies`, {
    name: 'on-scan',
    trigger: { type: 'event_based' },
    filters: [{ type: 'tag', value: '1.*' }],
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  await registry.copyImage(sampleImage, `${W}/app:1.0`);
  await sim.scan(W, 'app', '1.0');
  await sim.waitForWebhooks();
  const delivered = sim.webhookDeliveries().filter((d) => d.event_type === 'SCANNING_COMPLETED' && d.ok);
  assert.equal(new Set(delivered.map((d) => d.address)).size, 3, 'every replica received the event');
  await waitFor(
    'the event to start an execution',
    async () => (await q(`SELECT id FROM patch_executions WHERE policy_id = $1`, [created.body.id])).length > 0,
    60_000,
  ).catch(async (err: Error) => {
    const events = await q(`SELECT * FROM webhook_events WHERE project = $1`, [W]).catch(() => []);
    throw new Error(`${err.message}; events stored: ${JSON.stringify(events)}`);
  });
  // Every replica has had time to handle its copy (each handles an event within a second or two).
  await new Promise((r) => setTimeout(r, 8000));
  const hookRuns = await q(`SELECT id, trigger FROM patch_executions WHERE policy_id = $1`, [created.body.id]);
  assert.equal(hookRuns.length, 1, `one execution for the event: ${JSON.stringify(hookRuns)}`);
  assert.equal(hookRuns[0].trigger, 'EVENT');
  const stopped = await api(replicas[1].url, 'POST', `/projects/${W}/executions/${hookRuns[0].id}/stop`);
  assert.ok([200, 202].includes(stopped.status), JSON.stringify(stopped.body));
});

test('300 ad-hoc patch requests at once for 3 artifacts over 3 replicas make 3 tasks', async () => {
  const A = newProject('adhoc');
  // Images without a package database: each task ends NOTHING_FIXABLE after the scan, before copa. The scan is
  // slow here so that the tasks are still running while the requests arrive.
  const digests = [];
  for (let i = 0; i < 3; i++) digests.push(await pushArtifact(`${A}/app-${i}`, ['1.0']));
  sim.setScanDelay(30_000);
  try {
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        api(replicas[i % 3].url, 'POST', `/projects/${A}/repositories/app-${i % 3}/artifacts/1.0/patch`, {}),
      ),
    );
    const refused = answers.filter((a) => a.status !== 202);
    assert.deepEqual(
      refused.map((a) => [a.status, a.body]),
      [],
      'every request is accepted',
    );
    const taskIds = new Set(answers.map((a) => a.headers.get('x-patch-task-id')));
    const tasks = await q(`SELECT id, repository, source_digest FROM patch_tasks WHERE project = $1`, [A]);
    assert.equal(tasks.length, 3, `3 tasks: ${JSON.stringify(tasks)}`);
    assert.equal(taskIds.size, 3, 'every answer names one of the 3 tasks');
    assert.deepEqual(new Set(tasks.map((t) => t.source_digest)), new Set(digests));
  } finally {
    sim.setScanDelay(200);
    for (const e of await q(`SELECT id FROM patch_executions WHERE project = $1`, [A]))
      await api(replicas[0].url, 'POST', `/projects/${A}/executions/${e.id}/stop`);
  }
});
