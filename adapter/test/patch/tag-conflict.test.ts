/**
 * A patch never overwrites a patched tag made from another source. Before copa pushes over an existing
 * patched tag, the image there must come from this very image (copa's BaseImage label) or, by the
 * service's own record, from this same source tag; otherwise the task fails TAG_CONFLICT and the
 * existing image stays. Over the Harbor stand-in and the real registry, without a copa run (the task
 * stops before copa).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { patchedTagName } from '@harbor-patching/shared/policy/tags';
import { checkPatchedTagSource } from '../../src/patch/stages/plan-target';
import { PatchOutcome } from '../../src/patch/reasons';
import { DEFAULT_PATCH_OPTIONS } from '../../src/model/execution';
import { startSimWithEngine, type Engine, type Sim } from './harness';
import { copyImage, pushTinyImage, registryDigest, stack, unique } from './helpers';

let sim: Sim;
let engine: Engine;
let close: () => Promise<void>;
const project = unique('conflict').replace(/-/g, '');
const repository = 'app';
const full = `${project}/${repository}`;
/** Two long tags with the same cut prefix: the former 10-hex naming could give both the same patched tag. */
const prefix = 'v' + 'a'.repeat(108);
const tagA = `${prefix}-release-aaaaaaaaaa`;
const tagB = `${prefix}-release-bbbbbbbbbb`;
let digestA: string;
let digestB: string;
let host: string;

before(async () => {
  ({ sim, engine, close } = await startSimWithEngine());
  sim.addProject(project);
  host = new URL(sim.url).host;
  await copyImage(stack.sampleImage, `${full}:${tagA}`);
  digestA = (await registryDigest(full, tagA))!;
  digestB = await pushTinyImage(full, tagB, { 'etc/b': 'b\n' });
});

after(() => close?.());

/** Records, as the service does after a verified push, that `sourceTag` was patched into `patchedDigest`. */
async function recordPatch(
  sourceTag: string,
  sourceDigest: string,
  patchedTag: string,
  patchedDigest: string,
): Promise<void> {
  const store = engine.engine.store;
  const execution = await store.insertExecution({ project, trigger: 'ADHOC', options: DEFAULT_PATCH_OPTIONS });
  const t = await store.insertTask({
    execution_id: execution.id,
    project,
    repository,
    tag: sourceTag,
    source_digest: sourceDigest,
  });
  await store.updateTask(t.id, { status: 'Success', patched_tag: patchedTag, patched_digest: patchedDigest });
}

const check = (sourceTag: string, sourceDigest: string, patchedTag: string) =>
  checkPatchedTagSource(
    { registry: engine.registry },
    {
      signal: new AbortController().signal,
      log: () => undefined,
      task: { source_digest: sourceDigest },
      sourceTagsPatchedInto: (digest) => engine.engine.store.sourceTagsPatchedInto(project, repository, digest),
    },
    full,
    sourceTag,
    patchedTag,
  );

const conflict = (pattern: RegExp) => (err: unknown) => {
  assert.ok(err instanceof PatchOutcome, String(err));
  assert.equal(err.code, 'TAG_CONFLICT');
  assert.equal(err.status, 'Error');
  assert.match(err.message, pattern);
  assert.match(err.message, /left untouched/);
  return true;
};

test('the two long tags get different patched tags', () => {
  assert.notEqual(patchedTagName(tagA), patchedTagName(tagB));
});

test('an existing patched tag from this very image, or recorded as made from this source tag, may be overwritten', async () => {
  const fromThisImage = unique('same-image');
  await pushTinyImage(full, fromThisImage, { x: '1' }, undefined, { BaseImage: `${host}/${full}@${digestA}` });
  await check(tagA, digestA, fromThisImage);

  // The source tag moved to a new image since: the service's record of the old patch still says tagA.
  const fromOlderImage = unique('older-image');
  const older = await pushTinyImage(full, fromOlderImage, { x: '2' }, undefined, {
    BaseImage: `${host}/${full}@sha256:${'0'.repeat(64)}`,
  });
  await recordPatch(tagA, `sha256:${'0'.repeat(64)}`, fromOlderImage, older);
  await check(tagA, digestA, fromOlderImage);
});

test('an existing patched tag made from another source is a TAG_CONFLICT, whatever tells it', async () => {
  // copa's label names another image, and the service has no record of it.
  const otherLabel = unique('other-label');
  await pushTinyImage(full, otherLabel, { x: '3' }, undefined, { BaseImage: `${host}/${full}@${digestB}` });
  await assert.rejects(
    check(tagA, digestA, otherLabel),
    conflict(new RegExp(`patched from ${host}/${full}@${digestB}`)),
  );

  // The service's own record says another source tag made it.
  const otherRecord = unique('other-record');
  const made = await pushTinyImage(full, otherRecord, { x: '4' }, undefined, {
    BaseImage: `${host}/${full}@${digestB}`,
  });
  await recordPatch(tagB, digestB, otherRecord, made);
  await assert.rejects(
    check(tagA, digestA, otherRecord),
    conflict(new RegExp(`this service made it from ${full}:${tagB}`)),
  );

  // No label and no record: an image someone pushed under that name.
  const pushed = unique('pushed');
  await pushTinyImage(full, pushed, { x: '5' });
  await assert.rejects(check(tagA, digestA, pushed), conflict(/not made by patching this image/));

  // The same image under another repository's name is not this source either.
  const elsewhere = unique('elsewhere');
  await pushTinyImage(full, elsewhere, { x: '6' }, undefined, { BaseImage: `${host}/${project}/other@${digestA}` });
  await assert.rejects(check(tagA, digestA, elsewhere), conflict(/patched from/));
});

test("a patch whose patched tag holds another source's patch fails TAG_CONFLICT before copa; that image is untouched", async () => {
  // As the former naming left it: tagA's patched tag holds the patch the service made of tagB.
  const target = patchedTagName(tagA);
  const existing = await pushTinyImage(full, target, { 'etc/b': 'patched b\n' }, undefined, {
    BaseImage: `${host}/${full}@${digestB}`,
  });
  await recordPatch(tagB, digestB, target, existing);

  for (const scheme of ['floating', 'incremental'] as const) {
    const execution = await engine.engine.createExecution({
      project,
      trigger: 'ADHOC',
      options: { tag_scheme: scheme },
    });
    const task = await engine.engine.addTask(execution.id, { repository, tag: tagA, digest: digestA });
    const done = await engine.engine.waitForTask(task.id, 120_000);
    assert.equal(done.status, 'Error', `${scheme}: ${done.reason} ${done.status_message}`);
    assert.equal(done.reason, 'TAG_CONFLICT', done.status_message);
    assert.match(done.status_message, new RegExp(`${target}.*not made from ${full}:${tagA}.*${tagB}`));
    assert.equal(done.patched_tag, null);
    assert.equal(done.patched_digest, null);
    assert.ok(done.vulnerabilities_before && done.vulnerabilities_before.fixable > 0, 'it got as far as deciding');
    assert.doesNotMatch(await engine.engine.logs.read(task.id), /\$ copa patch/, `${scheme}: copa never ran`);
    assert.equal(await registryDigest(full, target), existing, `${scheme}: the existing image stays`);
  }
});
