/**
 * Incremental tag scheme: after a verified generation (`1.0-patched-N`), the floating tag `1.0-patched`
 * follows it through the registry, unless an immutable tag rule protects the existing floating tag.
 * The tagging step alone, over the Harbor stand-in and the real registry, with tiny images (no copa).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HarborClient } from '../../src/harbor/client';
import { RegistryClient, RegistryError } from '../../src/registry/client';
import { pointFloatingTag } from '../../src/patch/stages/post-actions';
import { ROBOT, startSim, type Sim } from './harness';
import { pushTinyImage, registryDigest, unique } from './helpers';

let sim: Sim;
let deps: { harbor: HarborClient; registry: RegistryClient };
const project = unique('floating').replace(/-/g, '');
const repository = 'team/app';
const full = `${project}/${repository}`;
const generations: string[] = [];
const lines: string[] = [];
const log = (line: string) => lines.push(line);

before(async () => {
  sim = await startSim();
  sim.addProject(project);
  const robot = { username: ROBOT.name, password: ROBOT.secret };
  deps = {
    harbor: new HarborClient(sim.url, { kind: 'basic', ...robot }),
    registry: new RegistryClient(sim.url, robot),
  };
  for (const n of [1, 2, 3]) {
    generations.push(await pushTinyImage(full, `1.0-patched-${n}`, { 'etc/generation': String(n) }));
  }
});

after(() => sim?.close());

const point = (digest: string, exists: boolean) =>
  pointFloatingTag(deps, { project, repository, digest, tag: '1.0-patched', exists, log });

test('the first generation creates the floating tag; the next one moves it', async () => {
  assert.equal(await point(generations[0], false), undefined);
  assert.equal(await registryDigest(full, '1.0-patched'), generations[0]);
  assert.ok(lines.some((l) => l.includes(`tagged ${full}@${generations[0]} as 1.0-patched`)));

  assert.equal(await point(generations[1], true), undefined);
  assert.equal(await registryDigest(full, '1.0-patched'), generations[1]);
  assert.equal(await registryDigest(full, '1.0-patched-1'), generations[0], 'the generations themselves stay');
});

test('an immutable rule on the existing floating tag leaves it in place with a note, never an error', async () => {
  sim.addImmutableRule(project, { tag: '*-patched', repository: '**' });
  const note = await point(generations[2], true);
  assert.match(
    note ?? '',
    /^1\.0-patched was not moved to the new patch because an immutable tag rule of project \S+ protects it$/,
  );
  assert.equal(await registryDigest(full, '1.0-patched'), generations[1]);

  // A floating tag created after the tags were listed: Harbor's 412 on the push gives the same note.
  const raced = await point(generations[2], false);
  assert.equal(raced, note);
  assert.equal(await registryDigest(full, '1.0-patched'), generations[1]);
  await assert.rejects(deps.registry.tagManifest(full, generations[2], '1.0-patched'), (err: unknown) => {
    assert.ok(err instanceof RegistryError);
    assert.equal(err.status, 412);
    return true;
  });
});

test('a new tag under the immutable rule is still created (Harbor only protects existing tags)', async () => {
  assert.equal(
    await pointFloatingTag(deps, {
      project,
      repository,
      digest: generations[2],
      tag: '2.0-patched',
      exists: false,
      log,
    }),
    undefined,
  );
  assert.equal(await registryDigest(full, '2.0-patched'), generations[2]);
});
