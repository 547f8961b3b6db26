/**
 * After a verified push: labels copied, the original deleted only once the patched image is re-scanned
 * (its tag alone when it has others, the artifact when that was its only tag, neither under an immutable
 * rule), and what did not happen said in the task's message. Over the Harbor stand-in and the real
 * registry, with tiny images (no copa).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HarborClient, HarborError } from '../../../src/harbor/client';
import { getArtifact } from '../../../src/harbor/repositories';
import { deleteOriginal, runPostActions, successMessage } from '../../../src/patch/stages/post-actions';
import { RegistryClient } from '../../../src/registry/client';
import { ROBOT, startSim, type Sim } from '../harness';
import { pushTinyImage, registryDigest, unique } from '../helpers';
import { fakeContext } from './fake-context';

let sim: Sim;
let deps: { harbor: HarborClient; registry: RegistryClient; scanTimeoutMs: number; scanPollMs: number };
const project = unique('post').replace(/-/g, '');

before(async () => {
  sim = await startSim();
  sim.addProject(project);
  const robot = { username: ROBOT.name, password: ROBOT.secret };
  deps = {
    harbor: new HarborClient(sim.url, { kind: 'basic', ...robot }),
    registry: new RegistryClient(sim.url, robot),
    scanTimeoutMs: 30_000,
    scanPollMs: 100,
  };
});

after(() => sim?.close());

/** A repository of its own with an original (tagged 1.0 and `otherTags`) and a patched image 1.0-patched. */
async function images(name: string, otherTags: string[] = []) {
  const repository = `${unique(name)}/app`;
  const full = `${project}/${repository}`;
  const source = await pushTinyImage(full, '1.0', { 'etc/original': 'yes\n' });
  for (const tag of otherTags) await deps.registry.tagManifest(full, source, tag);
  const pushed = await pushTinyImage(full, '1.0-patched', { 'etc/patched': 'yes\n' });
  const f = fakeContext();
  Object.assign(f.ctx.task, { project, repository, source_digest: source });
  return { repository, full, source, pushed, f, artifact: await getArtifact(deps.harbor, full, source) };
}

const tagsOf = async (full: string, digest: string) =>
  (await getArtifact(deps.harbor, full, digest)).tags?.map((t) => t.name).sort();

test('deleting the original: its tag alone when it has others, the whole artifact when that was its only tag', async () => {
  const shared = await images('post-shared', ['stable']);
  assert.equal(await deleteOriginal(deps, shared.f.ctx, shared.artifact, '1.0'), 'the original tag 1.0 was deleted');
  assert.deepEqual(await tagsOf(shared.full, shared.source), ['stable']);
  assert.deepEqual(shared.f.lines, [`deleted the original tag ${shared.full}:1.0`]);

  const alone = await images('post-alone');
  assert.equal(await deleteOriginal(deps, alone.f.ctx, alone.artifact, '1.0'), 'the original artifact was deleted');
  await assert.rejects(
    getArtifact(deps.harbor, alone.full, alone.source),
    (err: unknown) => err instanceof HarborError && err.status === 404,
  );
  assert.equal(await registryDigest(alone.full, '1.0'), undefined);
  assert.equal(await registryDigest(alone.full, '1.0-patched'), alone.pushed, 'the patched image stays');
});

test('an original under an immutable tag rule stays, with a note instead of an error', async () => {
  const shared = await images('post-immutable', ['stable']);
  sim.addImmutableRule(project, { tag: '1.0', repository: shared.repository });
  assert.equal(
    await deleteOriginal(deps, shared.f.ctx, shared.artifact, '1.0'),
    'the original could not be deleted because an immutable tag rule protects 1.0',
  );
  assert.deepEqual(await tagsOf(shared.full, shared.source), ['1.0', 'stable']);
});

test('labels are copied, and the original is kept when the patched image was not re-scanned', async () => {
  const x = await images('post-kept');
  const label = sim.addLabel({ name: unique('approved'), scope: 'g' });
  const artifact = {
    ...x.artifact,
    labels: [
      { id: label.id, name: label.name },
      { id: 987654, name: 'gone' },
    ],
  };
  Object.assign(x.f.ctx.options, { rescan: false, copy_labels: true, delete_original: true });
  const post = await runPostActions(
    deps,
    x.f.ctx,
    x.f.meter,
    { artifact, vulns: [], tag: '1.0', noScanner: false },
    { target: '1.0-patched' },
    { digest: x.pushed },
  );
  assert.equal(post.floatingTagged, undefined);
  assert.equal(post.notes.length, 2, post.notes.join('; '));
  assert.match(post.notes[0], /^label gone was not copied \(/);
  assert.equal(post.notes[1], 'the original was kept because the patched image was not re-scanned');
  const labels = (await getArtifact(deps.harbor, x.full, x.pushed)).labels?.map((l) => l.name);
  assert.deepEqual(labels, [label.name]);
  assert.deepEqual(await tagsOf(x.full, x.source), ['1.0'], 'the original is still there');
  assert.deepEqual(x.f.records, [], 'no re-scan: nothing recorded');
  assert.equal(
    successMessage(x.full, '1.0', '1.0-patched', post),
    `Patched ${x.full}:1.0 into 1.0-patched. Note: ${post.notes.join('; ')}.`,
  );
});

test('re-scanned: the report after is recorded and the original deleted; the floating tag follows a generation', async () => {
  const x = await images('post-rescan');
  Object.assign(x.f.ctx.options, { rescan: true, copy_labels: false, delete_original: true });
  const post = await runPostActions(
    deps,
    x.f.ctx,
    x.f.meter,
    { artifact: x.artifact, vulns: [], tag: '1.0', noScanner: false },
    { target: '1.0-patched-1', floating: { tag: '1.0-stable', exists: false } },
    { digest: x.pushed },
  );
  assert.deepEqual(post, { floatingTagged: '1.0-stable', notes: ['the original artifact was deleted'] });
  assert.equal(await registryDigest(x.full, '1.0-stable'), x.pushed);
  assert.equal(x.f.records.length, 1);
  assert.deepEqual(x.f.records[0].fixed_cves, []);
  assert.ok(x.f.records[0].vulnerabilities_after, 'the report after is recorded');
  assert.deepEqual(x.f.stages, ['Re-scanning patched image']);
  assert.equal(
    successMessage(x.full, '1.0', '1.0-patched-1', post),
    `Patched ${x.full}:1.0 into 1.0-patched-1 (also tagged 1.0-stable). Note: the original artifact was deleted.`,
  );
});

test('a project without a scanner: no re-scan is asked, the message says so, the original stays', async () => {
  const x = await images('post-noscanner');
  Object.assign(x.f.ctx.options, { rescan: true, copy_labels: false, delete_original: true });
  const post = await runPostActions(
    deps,
    x.f.ctx,
    x.f.meter,
    { artifact: x.artifact, tag: '1.0', noScanner: true },
    { target: '1.0-patched' },
    { digest: x.pushed },
  );
  assert.deepEqual(post.notes, [
    `Harbor has no vulnerability scanner for project ${project}, so the image was not scanned before or after`,
    'the original was kept because the patched image was not re-scanned',
  ]);
  assert.deepEqual(x.f.stages, [], 'no re-scan stage');
  assert.deepEqual(await tagsOf(x.full, x.source), ['1.0']);
});
