// @runs-copa
/**
 * The buildkitd pool with two real buildkitds: the stack's, and one this file starts on its own socket and
 * root under a temp folder (same registry mirrors). The second is listed first, so the pool would pick it;
 * it is stopped after the pool found it healthy. The patch's first copa run fails on it (copa reports it
 * unreachable), the endpoint is taken out, and the retry patches on the stack's buildkitd. Health lists
 * both endpoints with their state and slots; once the second buildkitd runs again, health's check puts it
 * back. One real patch (about 15-25 s on the stack's warm buildkitd) plus two buildkitd starts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { binDir, buildctlPath } from '@harbor-patching/oci-testkit';
import { startAdapter, type RunningAdapter } from '../../src/app';
import type { Task } from '../../src/model/execution';
import { ROBOT, startSim, type Sim } from '../patch/harness';
import { alive, copyImage, registryDigest, stack, unique, waitFor } from '../patch/helpers';

const alice = 'Basic ' + Buffer.from('alice:Harbor12345').toString('base64');
const admin = 'Basic ' + Buffer.from('admin:Harbor12345').toString('base64');

let sim: Sim;
let adapter: RunningAdapter;
let dir: string;
let second: { addr: string; pid: number } | undefined;

/** Starts a buildkitd like the stack's (e2e/stack/stack.sh) on a socket and root of its own under `dir`. */
async function startBuildkitd(): Promise<{ addr: string; pid: number }> {
  const addr = `unix://${dir}/buildkitd.sock`;
  const config = join(dir, 'buildkitd.toml');
  writeFileSync(
    config,
    `root = "${dir}/root"
[grpc]
  address = ["${addr}"]
[worker.oci]
  enabled = true
  networkMode = "host"
  gc = true
[worker.containerd]
  enabled = false
[registry."docker.io"]
  mirrors = ["${stack.registryAddr}"]
[registry."ghcr.io"]
  mirrors = ["${stack.registryAddr}"]
[registry."${stack.registryAddr}"]
  http = true
`,
  );
  const log = openSync(join(dir, 'buildkitd.log'), 'a');
  const child = spawn(
    join(binDir, 'buildkitd'),
    [
      '--config',
      config,
      '--addr',
      addr,
      '--root',
      join(dir, 'root'),
      '--otel-socket-path',
      join(dir, 'otel-grpc.sock'),
      '--oci-worker=true',
      '--containerd-worker=false',
      '--oci-worker-net=host',
    ],
    { detached: true, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  child.unref();
  const pid = child.pid!;
  await waitFor(
    'the second buildkitd to answer',
    async () => {
      if (!alive(pid)) throw new Error(`the second buildkitd exited; see ${dir}/buildkitd.log`);
      const r = await execa(buildctlPath, ['--addr', addr, 'debug', 'workers'], { reject: false, timeout: 5000 });
      return r.exitCode === 0 && r.stdout.trim() !== '';
    },
    60_000,
    200,
  );
  return { addr, pid };
}

async function stopBuildkitd(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  await waitFor('the second buildkitd to exit', () => !alive(pid), 30_000, 100);
}

const health = async (as?: string) => {
  const res = await fetch(`${adapter.url}/patching/api/v1/health`, { headers: as ? { authorization: as } : {} });
  assert.equal(res.status, 200);
  const body = (await res.json()) as {
    components: { name: string; status: string; error?: string; detail?: string; slots?: unknown }[];
  };
  return Object.fromEntries(body.components.map((c) => [c.name, c]));
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hp-bk2-'));
  second = await startBuildkitd();
  sim = await startSim();
  adapter = await startAdapter(
    {
      port: 0,
      harborUrl: sim.url,
      robotName: ROBOT.name,
      robotSecret: ROBOT.secret,
      dataDir: join(dir, 'data'),
      // The second buildkitd first: with equal load the pool picks the endpoint listed first.
      buildkitAddr: `${second.addr}=1,${stack.buildkitAddr}=1`,
      // Only copa's failure (and health's own check) takes the endpoint out in this test.
      buildkitCheckSeconds: 3600,
      copaPath: stack.copaPath,
      concurrency: 1,
      taskTimeoutSeconds: 600,
      scanTimeoutSeconds: 60,
      healthCacheSeconds: 0,
      logLevel: 'silent',
      validateResponses: true,
    },
    { tuning: { retryBaseMs: 100 } },
  );
});

after(async () => {
  await adapter?.close();
  await sim?.close();
  if (second) await stopBuildkitd(second.pid);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('one buildkitd stops answering: copa fails there, the endpoint is taken out, the patch succeeds on the other; health shows it and puts it back', async () => {
  const up = await health(admin);
  assert.equal(up['buildkitd-1']?.status, 'healthy', JSON.stringify(up['buildkitd-1']));
  assert.equal(up['buildkitd-1']?.detail, second!.addr);
  assert.equal(up['buildkitd-2']?.status, 'healthy', JSON.stringify(up['buildkitd-2']));
  assert.equal(up.buildkitd, undefined, 'several endpoints: one component each');

  await stopBuildkitd(second!.pid);
  const repo = `${unique('pool')}/app`;
  await copyImage(stack.sampleImage, `library/${repo}:1.0`);
  const res = await fetch(
    `${adapter.url}/patching/api/v1/projects/library/repositories/${encodeURIComponent(encodeURIComponent(repo))}/artifacts/1.0/patch`,
    { method: 'POST', headers: { authorization: alice, 'content-type': 'application/json' }, body: '{}' },
  );
  assert.equal(res.status, 202, await res.clone().text());
  const executionId = ((await res.json()) as { id: number }).id;
  const taskUrl = `${adapter.url}/patching/api/v1/projects/library/executions/${executionId}/tasks/${res.headers.get('x-patch-task-id')}`;
  const task = await waitFor(
    'the patch task to finish',
    async () => {
      const t = (await (await fetch(taskUrl, { headers: { authorization: alice } })).json()) as Task;
      return ['Pending', 'Running'].includes(t.status) ? undefined : t;
    },
    300_000,
    500,
  );
  const log = await (await fetch(`${taskUrl}/log`, { headers: { authorization: alice } })).text();
  assert.equal(task.status, 'Success', `${task.reason}: ${task.status_message}\n${log}`);
  assert.equal(task.attempt, 2, 'the first attempt failed on the stopped buildkitd');
  assert.match(log, new RegExp(`BUILDKIT_UNREACHABLE: copa could not reach buildkitd at ${second!.addr}`));
  assert.match(log, /transient failure: retrying/);
  const slotLines = log.split('\n').filter((l) => l.includes('copa slot on '));
  assert.equal(slotLines.length, 2, slotLines.join('\n'));
  assert.ok(slotLines[1]!.includes(`copa slot on ${stack.buildkitAddr} held`), slotLines[1]);
  assert.match(slotLines[1]!, /copa [0-9.]+ s, overhead [0-9.]+ s/);
  assert.ok(await registryDigest(`library/${repo}`, '1.0-patched'), 'the patched tag is in the registry');

  const down = await health(admin);
  assert.equal(down['buildkitd-1']?.status, 'unhealthy');
  assert.match(down['buildkitd-1']!.error!, /cannot reach buildkitd/);
  assert.deepEqual(down['buildkitd-1']?.slots, { total: 1, in_use: 0 });
  assert.equal(down['buildkitd-2']?.status, 'healthy');
  assert.deepEqual(down['buildkitd-2']?.slots, { total: 1, in_use: 0 });
  const open = await health();
  assert.equal(open['buildkitd-1']?.status, 'unhealthy');
  assert.equal(open['buildkitd-1']?.detail, undefined, 'addresses only for system admins');
  assert.equal(open['buildkitd-1']?.slots, undefined, 'slots only for system admins');

  const metrics = await (await fetch(`${adapter.url}/patching/metrics`)).text();
  assert.match(metrics, /patching_buildkitd_up\{endpoint="1"\} 0/);
  assert.match(metrics, /patching_buildkitd_copa_runs_total\{endpoint="2"\} 1/);
  assert.match(metrics, /patching_copa_slot_overhead_seconds_count 2/);

  second = await startBuildkitd();
  const back = await health(admin);
  assert.equal(back['buildkitd-1']?.status, 'healthy', 'the check puts it back');
  const metricsBack = await (await fetch(`${adapter.url}/patching/metrics`)).text();
  assert.match(metricsBack, /patching_buildkitd_up\{endpoint="1"\} 1/);
});
