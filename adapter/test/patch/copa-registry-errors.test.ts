// @runs-copa
/**
 * copa's registry failures as the real copa reports them through the real buildkitd, and the classes the
 * adapter gives them: a robot that may pull but not push (REGISTRY_AUTH, not retried) and a registry
 * nothing answers at (REGISTRY_UNREACHABLE, retried).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarborSim, type HarborSim } from '@harbor-patching/harbor-sim';
import { freePort, readAdvisories } from '@harbor-patching/oci-testkit';
import { classifyCopaFailure, runCopa, type CopaResult } from '../../src/patch/copa';
import type { UpdateManifestV1Alpha1 } from '../../src/patch/report';
import { copyImage, registryDigest, registryUrl, stack, unique } from './helpers';

const PULLER = { name: 'robot$puller', secret: 'Puller-Secret-1234' };

let sim: HarborSim;

/** One package update out of the fixtures' advisories (targeted mode: the shortest real copa run). */
function updateManifest(): UpdateManifestV1Alpha1 {
  const [a] = readAdvisories().advisories;
  return {
    apiVersion: 'v1alpha1',
    metadata: { os: { type: 'debian', version: '12' }, config: { arch: 'amd64' } },
    updates: [
      { name: a.package, installedVersion: a.installed_version, fixedVersion: a.fixed_version, vulnerabilityID: a.cve },
    ],
  };
}

before(async () => {
  sim = await startHarborSim({ port: 0, registryUrl: registryUrl(), advisoriesFile: stack.advisories, seed: 'demo' });
  sim.addRobot({
    name: PULLER.name,
    secret: PULLER.secret,
    level: 'system',
    permissions: [{ kind: 'project', namespace: '*', access: [{ resource: 'repository', action: 'pull' }] }],
  });
});

after(() => sim?.close());

/** One real copa run (targeted mode) of `host/repository:1.0` to `:1.0-patched`, as the patch task starts it. */
async function copa(host: string, repository: string, credentials: { username: string; password: string }) {
  const workDir = mkdtempSync(join(tmpdir(), 'hp-copa-errors-'));
  try {
    return await runCopa({
      copaPath: stack.copaPath,
      buildkitAddr: stack.buildkitAddr,
      workDir,
      registryHost: host,
      credentials,
      image: `${host}/${repository}:1.0`,
      target: `${host}/${repository}:1.0-patched`,
      updateManifest: updateManifest(),
      timeoutSeconds: 600,
      signal: new AbortController().signal,
      onLine: () => undefined,
      onProgress: () => undefined,
      onSpawn: () => undefined,
    });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

const failureOf = (result: CopaResult) => `exit ${result.exitCode}:\n${result.lines.slice(-15).join('\n')}`;

test('a robot that may pull but not push: copa pulls and patches, the push is refused, REGISTRY_AUTH', async (t) => {
  const repository = `library/${unique('pullonly')}/app`;
  await copyImage(stack.sampleImage, `${repository}:1.0`);
  const host = new URL(sim.url).host;
  const result = await copa(host, repository, { username: PULLER.name, password: PULLER.secret });
  assert.notEqual(result.exitCode, 0, failureOf(result));
  const failure = classifyCopaFailure(result.lines);
  t.diagnostic(`copa: ${failure.detail}`);
  assert.equal(failure.code, 'REGISTRY_AUTH', failureOf(result));
  assert.equal(failure.transient, false, 'a refused robot is not retried');
  assert.match(failure.detail, /401|403|unauthorized|denied|insufficient_scope/i);
  assert.equal(await registryDigest(repository, '1.0-patched'), undefined, 'nothing was pushed');
});

test('a registry nothing answers at: REGISTRY_UNREACHABLE, retried', async (t) => {
  const host = `127.0.0.1:${await freePort()}`;
  const result = await copa(host, `library/${unique('gone')}/app`, { username: PULLER.name, password: PULLER.secret });
  assert.notEqual(result.exitCode, 0, failureOf(result));
  const failure = classifyCopaFailure(result.lines);
  t.diagnostic(`copa: ${failure.detail}`);
  assert.equal(failure.code, 'REGISTRY_UNREACHABLE', failureOf(result));
  assert.equal(failure.transient, true, 'an unreachable registry is retried');
  assert.match(failure.detail, new RegExp(host.replace(/\./g, '\\.')));
});
