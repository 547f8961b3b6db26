/**
 * Copa slots bound only the copa run: with one copa slot (PATCHING_CONCURRENCY=1) held by the test, other
 * tasks still wait for Harbor's scans side by side, and a task that reaches copa waits for the slot (stop
 * and shutdown end the wait as they end any stage). No copa runs here: the one slot stays taken.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { CopaSlot } from '../../src/patch/context';
import type { ArtifactRef } from '../../src/jobs/engine';
import { startEngine, startSim, type Sim } from '../patch/harness';
import { pushTinyImage, stack, unique, waitFor } from '../patch/helpers';

let sim: Sim;
let mod: ReturnType<typeof startEngine>;
let held: CopaSlot;

before(async () => {
  sim = await startSim();
  mod = startEngine(sim, { concurrency: 1 });
  await mod.engine.start();
  held = await mod.buildkit.acquire(new AbortController().signal);
});

after(async () => {
  held?.release();
  await mod?.engine.close();
  await sim?.close();
});

/** A tiny Debian image with one package below its fixed version, scanned: it goes through to copa. */
async function vulnerableTinyImage(repository: string): Promise<ArtifactRef> {
  const advisories = JSON.parse(readFileSync(stack.advisories, 'utf8')) as {
    advisories: { package: string; installed_version: string }[];
  };
  const a = advisories.advisories[0]!;
  const digest = await pushTinyImage(`library/${repository}`, '1', {
    'etc/os-release': 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
    'var/lib/dpkg/status': `Package: ${a.package}\nStatus: install ok installed\nVersion: ${a.installed_version}\nArchitecture: amd64\n\n`,
  });
  await sim.scan('library', repository, '1');
  return { repository, tag: '1', digest };
}

const stageOf = async (taskId: number) => (await mod.store.getTask(taskId))?.progress?.stage;

test('PATCHING_CONCURRENCY bounds copa only: with the one copa slot taken, two tasks wait for their scans side by side', async () => {
  assert.equal(mod.engine.config.taskConcurrency, 3, 'default: 3 x the copa slots');
  const artifacts: ArtifactRef[] = [];
  for (const name of ['scan-a', 'scan-b']) {
    const repository = `${unique(name)}/app`;
    const digest = await pushTinyImage(`library/${repository}`, '1', { 'hello.txt': `${name}\n` });
    artifacts.push({ repository, tag: '1', digest });
  }
  // Long enough for both tasks to be seen waiting; the stand-in's scans run on after the stop.
  sim.setScanDelay(6_000);
  try {
    const tasks = await Promise.all(
      artifacts.map((artifact) => mod.engine.patchArtifact({ project: 'library', artifact })),
    );
    await waitFor(
      'both tasks to wait for their scans at once',
      async () =>
        (await Promise.all(tasks.map((t) => stageOf(t.task.id)))).every((s) => s === 'Scanning original') || undefined,
      30_000,
      100,
    );
    assert.deepEqual(
      mod.buildkit.list().map((e) => e.inUse),
      [1],
      "only the test's own slot is in use: scans hold none",
    );
    for (const t of tasks) await mod.engine.stopExecution(t.execution.id);
    for (const t of tasks) assert.equal((await mod.engine.waitForTask(t.task.id, 30_000)).status, 'Stopped');
  } finally {
    sim.setScanDelay(200);
  }
});

test('a task that reaches copa waits for a free copa slot; a stop ends the wait and frees nothing it did not hold', async () => {
  const { execution, task } = await mod.engine.patchArtifact({
    project: 'library',
    artifact: await vulnerableTinyImage(`${unique('slot-wait')}/app`),
  });
  await waitFor(
    'the task to reach copa',
    async () => (await stageOf(task.id)) === 'Starting copa' || undefined,
    30_000,
    100,
  );
  await new Promise((r) => setTimeout(r, 300));
  const waiting = (await mod.store.getTask(task.id))!;
  assert.equal(waiting.status, 'Running');
  assert.equal(waiting.copa_pid, null, 'copa did not start: no slot');
  await mod.engine.stopExecution(execution.id);
  const final = await mod.engine.waitForTask(task.id, 30_000);
  assert.equal(final.status, 'Stopped');
  assert.equal(final.reason, 'STOPPED');
  assert.deepEqual(
    mod.buildkit.list().map((e) => e.inUse),
    [1],
  );
});

test('a shutdown while a task waits for a copa slot puts it back in the queue', async () => {
  const { task } = await mod.engine.patchArtifact({
    project: 'library',
    artifact: await vulnerableTinyImage(`${unique('slot-shutdown')}/app`),
  });
  await waitFor(
    'the task to reach copa',
    async () => (await stageOf(task.id)) === 'Starting copa' || undefined,
    30_000,
    100,
  );
  await mod.engine.close();
  const t = (await mod.store.getTask(task.id))!;
  assert.equal(t.status, 'Pending');
  assert.equal(t.attempt, 0, 'the interrupted attempt does not count');
});
