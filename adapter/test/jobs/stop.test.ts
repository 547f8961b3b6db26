// @runs-copa
/**
 * Stop in every stage of a patch task: resolving the artifact, waiting for Harbor's scan, reading the
 * OS release, starting copa, verifying the pushed image and waiting for the re-scan. Each ends the task
 * Stopped / STOPPED "Stopped on request." and its execution Stopped (so the Stopped filter finds it).
 * The stop lands in the stage under test through the engine's `progress` event. The copa stage itself
 * is covered with a real copa run in patch-flow.test.ts ("stop during a run"); the verify and re-scan
 * stages need a real copa run each (they run side by side).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { TaskProgress } from '../../src/model/execution';
import type { ArtifactRef } from '../../src/jobs/engine';
import { startEngine, startSim, type Sim } from '../patch/harness';
import { copyImage, pushTinyImage, registryDigest, stack, unique } from '../patch/helpers';

let sim: Sim;
let mod: ReturnType<typeof startEngine>;

before(async () => {
  sim = await startSim();
  mod = startEngine(sim);
  await mod.engine.start();
});

after(async () => {
  await mod?.engine.close();
  await sim?.close();
});

/** A tiny Debian image with one package below its fixed version (fixable: it passes the decision). */
async function vulnerableTinyImage(repository: string): Promise<ArtifactRef> {
  const advisories = JSON.parse(readFileSync(stack.advisories, 'utf8')) as {
    advisories: { package: string; installed_version: string }[];
  };
  const a = advisories.advisories[0];
  const digest = await pushTinyImage(`library/${repository}`, '1', {
    'etc/os-release': 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n',
    'var/lib/dpkg/status': `Package: ${a.package}\nStatus: install ok installed\nVersion: ${a.installed_version}\nArchitecture: amd64\n\n`,
  });
  await sim.scan('library', repository, '1');
  return { repository, tag: '1', digest };
}

async function sampleCopy(repository: string): Promise<ArtifactRef> {
  await copyImage(stack.sampleImage, `library/${repository}:1.0`);
  return { repository, tag: '1.0', digest: (await registryDigest(`library/${repository}`, '1.0'))! };
}

/**
 * Patches `artifact` ad hoc and stops its execution (as POST .../executions/{id}/stop does) when the task
 * reaches `stage`, at once or `afterMs` later. Answers the final task and execution.
 */
async function stopAt(
  artifact: ArtifactRef,
  stage: string,
  o: { afterMs?: number; onStage?: () => void; onProgress?: (stage: string) => void } = {},
) {
  const { execution, task } = await mod.engine.patchArtifact({ project: 'library', artifact });
  let reached = false;
  const listener = (taskId: number, p: TaskProgress) => {
    if (taskId === task.id) o.onProgress?.(p.stage);
    if (taskId !== task.id || p.stage !== stage || reached) return;
    reached = true;
    o.onStage?.();
    const stop = () => void mod.engine.stopExecution(execution.id);
    if (o.afterMs) setTimeout(stop, o.afterMs);
    else stop();
  };
  mod.engine.on('progress', listener);
  try {
    const final = await mod.engine.waitForTask(task.id, 600_000);
    return { task: final, execution: (await mod.store.getExecution(execution.id))!, reached };
  } finally {
    mod.engine.off('progress', listener);
  }
}

async function assertStopped(r: Awaited<ReturnType<typeof stopAt>>, stage: string): Promise<void> {
  assert.ok(
    r.reached,
    `the task reached "${stage}" (it ended ${r.task.status} ${r.task.reason}: ${r.task.status_message})`,
  );
  assert.equal(r.task.status, 'Stopped', `${stage}: ${r.task.reason} ${r.task.status_message}`);
  assert.equal(r.task.reason, 'STOPPED');
  assert.equal(r.task.status_message, 'Stopped on request.');
  assert.equal(r.execution.status, 'Stopped');
  const stopped = await mod.store.listExecutions({ project: 'library', status: 'Stopped', page: 1, page_size: 100 });
  assert.ok(
    stopped.items.some((e) => e.id === r.execution.id),
    'the Stopped filter finds the execution',
  );
}

test('stop while resolving the artifact', async () => {
  const r = await stopAt(await vulnerableTinyImage(`${unique('stop-resolve')}/app`), 'Resolving artifact');
  await assertStopped(r, 'Resolving artifact');
});

test("stop while waiting for Harbor's scan of the original", async () => {
  const repository = `${unique('stop-scan')}/app`;
  const digest = await pushTinyImage(`library/${repository}`, '1', { 'hello.txt': 'hello\n' });
  sim.setScanDelay(20_000);
  try {
    const r = await stopAt({ repository, tag: '1', digest }, 'Scanning original', { afterMs: 1500 });
    await assertStopped(r, 'Scanning original');
  } finally {
    sim.setScanDelay(200);
  }
});

test('stop while reading the OS release', async () => {
  const r = await stopAt(await vulnerableTinyImage(`${unique('stop-os')}/app`), 'Reading OS release');
  await assertStopped(r, 'Reading OS release');
  assert.equal(r.task.patched_tag, null);
});

test('stop right when copa is about to start', async () => {
  const repository = `${unique('stop-copa')}/app`;
  const r = await stopAt(await vulnerableTinyImage(repository), 'Starting copa');
  await assertStopped(r, 'Starting copa');
  assert.equal(r.task.patched_tag, null, 'nothing was pushed');
  assert.equal(await registryDigest(`library/${repository}`, '1-patched'), undefined);
});

test('stop while verifying the pushed image, and while waiting for the re-scan (real copa, side by side)', async () => {
  const [verifying, rescanning] = await Promise.all([
    sampleCopy(`${unique('stop-verify')}/app`).then((a) => stopAt(a, 'Verifying pushed image')),
    sampleCopy(`${unique('stop-rescan')}/app`).then((a) =>
      stopAt(a, 'Re-scanning patched image', {
        afterMs: 1500,
        // Project library scans on push, so Harbor starts the patched image's scan when copa pushes it (the
        // re-scan then waits for that one): slow scans from copa's start on.
        onProgress: (stage) => {
          if (stage === 'Starting copa') sim.setScanDelay(20_000);
        },
      }),
    ),
  ]).finally(() => sim.setScanDelay(200));
  for (const [r, stage] of [
    [verifying, 'Verifying pushed image'],
    [rescanning, 'Re-scanning patched image'],
  ] as const) {
    await assertStopped(r, stage);
    // copa had pushed: the task reports the patched image, which is there.
    assert.equal(r.task.patched_tag, '1.0-patched', stage);
    assert.equal(await registryDigest(`library/${r.task.repository}`, '1.0-patched'), r.task.patched_digest);
    assert.equal(r.task.vulnerabilities_after, null, `${stage}: not re-scanned`);
  }
});
