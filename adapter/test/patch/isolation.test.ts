/**
 * Defence in depth behind the edge's name checks: whatever name reaches the patch engine, the service
 * robot never acts on another project's artifact. Harbor's answer must be an artifact of the repository
 * asked for, and neither Harbor's API nor the registry is asked for a path a URL parser would resolve
 * into another one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertArtifactIn, ForeignArtifactError } from '../../src/harbor/artifacts';
import { HarborClient, HarborError, hasDotSegment } from '../../src/harbor/client';
import { RegistryClient } from '../../src/registry/client';
import { classifyError } from '../../src/patch/context';
import { harborAdmin, startSimWithEngine, type Engine, type Sim } from './harness';
import { pushTinyImage, registryDigest, unique } from './helpers';

let sim: Sim;
let engine: Engine;
let close: () => Promise<void>;
const hidden = unique('hidden');
const other = unique('other');
let secretDigest: string;

before(async () => {
  ({ sim, engine, close } = await startSimWithEngine());
  sim.addProject(hidden);
  sim.addProject(other);
  secretDigest = await pushTinyImage(`${other}/secret-app`, '1.0', { 'etc/secret': 'theirs\n' });
});

after(() => close?.());

test("a task naming another project's repository through '..' ends NOT_FOUND and leaves that image alone", async () => {
  // Straight into the engine, as an older database row or a caller without the edge's checks would.
  const execution = await engine.engine.createExecution({ project: hidden, trigger: 'ADHOC' });
  const task = await engine.engine.addTask(execution.id, {
    repository: `../${other}/secret-app`,
    tag: '1.0',
    digest: secretDigest,
  });
  const done = await engine.engine.waitForTask(task.id, 60_000);
  assert.equal(done.status, 'Error');
  assert.equal(done.reason, 'NOT_FOUND', done.status_message);
  assert.match(done.status_message, new RegExp(`repository ${hidden}/\\.\\./${other}/secret-app not found`));
  assert.equal(done.patched_tag, null);
  assert.equal(done.vulnerabilities_before, null, 'no report of the other image was read');
  const secret = (await (
    await harborAdmin(sim, 'GET', `/projects/${other}/repositories/secret-app/artifacts/1.0?with_scan_overview=true`)
  ).json()) as { tags: { name: string }[]; scan_overview?: unknown };
  assert.deepEqual(
    secret.tags.map((t) => t.name),
    ['1.0'],
  );
  assert.equal(secret.scan_overview ?? undefined, undefined, 'never scanned');
  assert.equal(await registryDigest(`${other}/secret-app`, '1.0-patched'), undefined);
});

test("Harbor's answer must be an artifact of the repository asked for; another one is a 404 (NOT_FOUND for a task)", () => {
  const asked = `${hidden}/app`;
  const path = `/projects/${hidden}/repositories/app/artifacts/1.0`;
  assert.deepEqual(assertArtifactIn({ repository_name: asked }, asked, 'GET', path), { repository_name: asked });
  for (const answered of [`${other}/secret-app`, `${hidden}/app/x`, `${hidden}/App`, undefined]) {
    assert.throws(
      () => assertArtifactIn({ repository_name: answered }, asked, 'GET', path),
      (err: unknown) => {
        assert.ok(err instanceof ForeignArtifactError && err instanceof HarborError);
        assert.equal(err.status, 404);
        assert.match(err.message, new RegExp(`lookup in ${asked} with an artifact of`));
        const outcome = classifyError(err, 'reading the artifact');
        assert.equal(outcome.code, 'NOT_FOUND');
        return true;
      },
      String(answered),
    );
  }
});

test('dot segments are recognised however they are written', () => {
  for (const path of ['/projects/a/../b', '/projects/./a', '/projects/%2e%2E/x', '/a/.%2e/b', '/a/%2E./b', '/a/..']) {
    assert.equal(hasDotSegment(path), true, path);
  }
  for (const path of ['/projects/a..b/x', '/projects/a/repositories/..%252Fx/artifacts', '/a/...', '/a/b?x=..']) {
    assert.equal(hasDotSegment(path), false, path);
  }
});

test('neither Harbor nor the registry is called with a path that would resolve into another one', async () => {
  // Nothing listens here: a call that was made would fail with "could not be reached" instead.
  const nowhere = 'http://127.0.0.1:9';
  const harbor = new HarborClient(nowhere, { kind: 'anonymous' });
  await assert.rejects(
    harbor.request('GET', `/projects/${hidden}/repositories/../../${other}/x`),
    /refusing to call Harbor/,
  );
  await assert.rejects(harbor.request('GET', `/projects/%2E%2E/repositories/x`), /refusing to call Harbor/);
  const registry = new RegistryClient(nowhere);
  for (const repository of [
    `${hidden}/../${other}/secret-app`,
    `${hidden}//app`,
    `${hidden}/./app`,
    'app',
    `${hidden}/A`,
  ]) {
    await assert.rejects(registry.listTags(repository), /refusing to ask the registry/, repository);
    await assert.rejects(registry.getManifest(repository, '1.0'), /refusing to ask the registry/, repository);
  }
  await assert.rejects(registry.getManifest(`${hidden}/app`, '..'), /refusing to ask the registry/);
  await assert.rejects(registry.resolveDigest(`${hidden}/app`, '1.0'), /could not be reached/, 'a valid name is asked');
});
