// @runs-copa
/**
 * Harbor without a scanner (installed without Trivy): scans answer 412 "no available scanner",
 * reports 404, lists carry no scan overview (the stand-in's no-scanner mode). A targeted patch cannot
 * work without a report and is skipped NOT_SCANNED, saying the project has no scanner; a comprehensive
 * patch needs no report and patches (real copa), without asking for a re-scan, before/after unknown.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEngine, startSim, type Sim } from './harness';
import { copyImage, registryDigest, stack, unique } from './helpers';

let sim: Sim;
let mod: ReturnType<typeof startEngine>;
let project: string;

before(async () => {
  sim = await startSim();
  project = unique('noscan').replace(/-/g, '');
  sim.addProject(project, { scanner: false });
  // An address that refuses connections: copa's end-of-life lookup (comprehensive mode) fails at once.
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const eol = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/api/v1/products`;
  await new Promise((r) => closed.close(r));
  mod = startEngine(sim, { copaEolApiUrl: eol });
  await mod.engine.start();
});

after(async () => {
  await mod?.engine.close();
  await sim?.close();
});

async function patchSample(mode: 'targeted' | 'comprehensive') {
  const repository = `${unique(mode)}/app`;
  await copyImage(stack.sampleImage, `${project}/${repository}:1.0`);
  const digest = (await registryDigest(`${project}/${repository}`, '1.0'))!;
  const { task } = await mod.engine.patchArtifact({
    project,
    artifact: { repository, tag: '1.0', digest },
    options: { mode },
  });
  return { repository, digest, task: await mod.engine.waitForTask(task.id, 600_000) };
}

test('targeted mode: Skipped NOT_SCANNED, saying that the project has no scanner', async () => {
  const { task } = await patchSample('targeted');
  assert.equal(task.status, 'Skipped', `${task.reason}: ${task.status_message}`);
  assert.equal(task.reason, 'NOT_SCANNED');
  assert.match(task.status_message, new RegExp(`Harbor has no vulnerability scanner for project ${project}`));
  assert.match(task.status_message, /comprehensive mode/);
  assert.equal(task.patched_tag, null);
  assert.equal(task.vulnerabilities_before, null);
});

test('comprehensive mode: patched without a report, no re-scan asked, before/after not known', async () => {
  const { repository, digest, task } = await patchSample('comprehensive');
  assert.equal(task.status, 'Success', `${task.reason}: ${task.status_message}`);
  assert.equal(task.patched_tag, '1.0-patched');
  const patched = await registryDigest(`${project}/${repository}`, '1.0-patched');
  assert.ok(patched && patched !== digest);
  assert.equal(task.patched_digest, patched);
  assert.equal(task.vulnerabilities_before, null);
  assert.equal(task.vulnerabilities_after, null);
  assert.deepEqual(task.fixed_cves, []);
  assert.match(task.status_message, /no vulnerability scanner .* not scanned before or after/);
  assert.equal(sim.state.scans.get(patched), undefined, 'no re-scan of the patched image was asked for');
  const log = await mod.engine.logs.read(task.id);
  assert.match(log, /no vulnerability scanner for project .*patching without a report/);
});
