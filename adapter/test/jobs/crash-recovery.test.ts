// @runs-copa
/**
 * `kill -9` of the adapter process while copa runs, then a restart on the same data directory: the
 * task must not stay Running, the orphaned copa process group must be gone, and no per-task files
 * (with registry credentials) may remain.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import type { Task } from '../../src/model/execution';
import { ROBOT, startSim, type Sim } from '../patch/harness';
import { alive, copaProcessesMentioning, copyImage, stack, unique, waitFor } from '../patch/helpers';

const adapterDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const alice = 'Basic ' + Buffer.from('alice:Harbor12345').toString('base64');

let sim: Sim;
const children: ResultPromise[] = [];

before(async () => {
  sim = await startSim();
});

after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await sim?.close();
});

/** Starts `node --import tsx src/main.ts` and resolves with its URL once it listens. */
async function startProcess(dataDir: string): Promise<{ url: string; child: ResultPromise }> {
  const child = execa('node', ['--import', 'tsx', 'src/main.ts'], {
    cwd: adapterDir,
    env: {
      PATCHING_PORT: '0',
      PATCHING_HARBOR_URL: sim.url,
      PATCHING_ROBOT_NAME: ROBOT.name,
      PATCHING_ROBOT_SECRET: ROBOT.secret,
      PATCHING_DATA_DIR: dataDir,
      PATCHING_BUILDKIT_ADDR: stack.buildkitAddr,
      PATCHING_COPA_PATH: stack.copaPath,
      PATCHING_LOG_LEVEL: 'info',
    },
    reject: false,
    buffer: false,
    stdout: 'pipe',
    stderr: 'pipe',
  });
  children.push(child);
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the adapter did not start: ${out}`)), 60_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolveUrl(m[1]);
      }
    });
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    void child.then(() => reject(new Error(`the adapter exited: ${out}`)));
  });
  return { url, child };
}

test('kill -9 mid-task, restart: task ends INTERRUPTED, the orphaned copa is killed, no work files remain', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hp-crash-'));
  const repo = `${unique('crash')}/app`;
  await copyImage(stack.sampleImage, `library/${repo}:1.0`);

  const first = await startProcess(dataDir);
  const res = await fetch(
    `${first.url}/patching/api/v1/projects/library/repositories/${encodeURIComponent(encodeURIComponent(repo))}/artifacts/1.0/patch`,
    { method: 'POST', headers: { authorization: alice, 'content-type': 'application/json' }, body: '{}' },
  );
  assert.equal(res.status, 202);
  const executionId = ((await res.json()) as { id: number }).id;
  const taskId = Number(res.headers.get('x-patch-task-id'));

  const copaPids = await waitFor('copa to start', async () => {
    const pids = await copaProcessesMentioning(repo);
    return pids.length > 0 ? pids : undefined;
  });
  first.child.kill('SIGKILL');
  await first.child;
  assert.ok(copaPids.some(alive), 'copa outlives the killed adapter (its own process group)');
  assert.ok(readdirSync(join(dataDir, 'work')).length > 0, 'the task left its work dir behind');

  const second = await startProcess(dataDir);
  try {
    const task = (await (
      await fetch(`${second.url}/patching/api/v1/projects/library/executions/${executionId}/tasks/${taskId}`, {
        headers: { authorization: alice },
      })
    ).json()) as Task;
    assert.equal(task.status, 'Error');
    assert.equal(task.reason, 'INTERRUPTED');
    assert.match(task.status_message, /restarted/);
    await waitFor('the orphaned copa to be gone', () => (copaPids.every((p) => !alive(p)) ? true : undefined), 15_000);
    assert.deepEqual(await copaProcessesMentioning(repo), []);
    assert.deepEqual(readdirSync(join(dataDir, 'work')), []);
    const execution = (await (
      await fetch(`${second.url}/patching/api/v1/projects/library/executions/${executionId}`, {
        headers: { authorization: alice },
      })
    ).json()) as { status: string };
    assert.equal(execution.status, 'Error');
  } finally {
    second.child.kill('SIGTERM');
    await second.child;
  }
});
