/**
 * Verifying copa's push: only a target tag naming a new image is a push (not what it named before, not
 * the source); a stop while verifying ends STOPPED, after recording a push that did happen.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatchOutcome } from '../../../src/patch/reasons';
import { verifyPush } from '../../../src/patch/stages/verify';
import { RegistryError } from '../../../src/registry/client';
import { SOURCE_DIGEST, fakeContext } from './fake-context';

const PREVIOUS = `sha256:${'b'.repeat(64)}`;
const PUSHED = `sha256:${'c'.repeat(64)}`;
const plan = { target: '1.0-patched', previousDigest: PREVIOUS };
const vex = { '@context': 'https://openvex.dev/ns/v0.2.0' };

function registryAnswering(answer: string | undefined | Error) {
  const asked: string[] = [];
  return {
    asked,
    registry: {
      resolveDigest: async (repository: string, reference: string) => {
        asked.push(`${repository}:${reference}`);
        if (answer instanceof Error) throw answer;
        return answer;
      },
    },
  };
}

function outcome(code: string, status?: string) {
  return (err: unknown) => {
    assert.ok(err instanceof PatchOutcome, String(err));
    assert.equal(err.code, code, err.message);
    if (status) assert.equal(err.status, status);
    return true;
  };
}

test('a new digest on the target tag is the push: recorded with the VEX document and logged', async () => {
  const f = fakeContext();
  const deps = registryAnswering(PUSHED);
  const pushed = await verifyPush(deps, f.ctx, f.meter, plan, { updateManifest: undefined }, { vex });
  assert.deepEqual(pushed, { digest: PUSHED });
  assert.deepEqual(deps.asked, ['library/team/app:1.0-patched']);
  assert.deepEqual(f.records, [{ patched_tag: '1.0-patched', patched_digest: PUSHED, vex }]);
  assert.deepEqual(f.lines, [
    `pushed library/team/app:1.0-patched as ${PUSHED}`,
    'comprehensive mode: copa writes no VEX document without a vulnerability report',
  ]);
  assert.deepEqual(f.stages, ['Verifying pushed image']);
});

test('a target tag that is missing, unchanged or naming the source is VERIFY_FAILED, with nothing recorded', async () => {
  for (const answer of [undefined, PREVIOUS, SOURCE_DIGEST]) {
    const f = fakeContext();
    await assert.rejects(
      verifyPush(registryAnswering(answer), f.ctx, f.meter, plan, {}, { vex: undefined }),
      outcome('VERIFY_FAILED', 'Error'),
    );
    assert.deepEqual(f.records, [], String(answer));
  }
});

test('a stop while verifying: a real push is recorded first, then STOPPED; no push is STOPPED, not VERIFY_FAILED', async () => {
  const pushedThenStopped = fakeContext();
  pushedThenStopped.abort('stopped');
  await assert.rejects(
    verifyPush(registryAnswering(PUSHED), pushedThenStopped.ctx, pushedThenStopped.meter, plan, {}, { vex }),
    outcome('STOPPED', 'Stopped'),
  );
  assert.deepEqual(pushedThenStopped.records, [{ patched_tag: '1.0-patched', patched_digest: PUSHED, vex }]);

  const nothingPushed = fakeContext();
  nothingPushed.abort('timeout');
  await assert.rejects(
    verifyPush(registryAnswering(PREVIOUS), nothingPushed.ctx, nothingPushed.meter, plan, {}, { vex }),
    outcome('TIMEOUT', 'Error'),
  );
  assert.deepEqual(nothingPushed.records, []);
});

test('a registry failure while verifying is classified (a transient one is retried)', async () => {
  const f = fakeContext();
  await assert.rejects(
    verifyPush(registryAnswering(new RegistryError(503, 'HTTP 503')), f.ctx, f.meter, plan, {}, { vex }),
    (err: unknown) => {
      outcome('REGISTRY_UNREACHABLE')(err);
      assert.equal((err as PatchOutcome).transient, true);
      assert.match((err as PatchOutcome).message, /verifying the patched tag/);
      return true;
    },
  );
});
