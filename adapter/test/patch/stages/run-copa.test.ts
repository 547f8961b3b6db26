/**
 * Around the copa run: a push copa made before it was stopped is still reported (only a new image), and
 * a failed run's outcome says what to fix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copaFailureOutcome, recordPushBeforeStop } from '../../../src/patch/stages/run-copa';
import { RegistryError } from '../../../src/registry/client';
import { SOURCE_DIGEST, fakeContext } from './fake-context';

const PREVIOUS = `sha256:${'b'.repeat(64)}`;
const PUSHED = `sha256:${'c'.repeat(64)}`;
const plan = { target: '1.0-patched', previousDigest: PREVIOUS };
const registry = (answer: string | undefined | Error) => ({
  resolveDigest: async () => {
    if (answer instanceof Error) throw answer;
    return answer;
  },
});

test('stopped copa: its push is recorded when the target tag names a new image, and only then', async () => {
  const pushed = fakeContext();
  await recordPushBeforeStop({ registry: registry(PUSHED) }, pushed.ctx, plan);
  assert.deepEqual(pushed.records, [{ patched_tag: '1.0-patched', patched_digest: PUSHED }]);
  assert.deepEqual(pushed.lines, [`copa pushed library/team/app:1.0-patched as ${PUSHED} before it was stopped`]);

  for (const answer of [undefined, PREVIOUS, SOURCE_DIGEST, new RegistryError(0, 'unreachable')]) {
    const f = fakeContext();
    await recordPushBeforeStop({ registry: registry(answer) }, f.ctx, plan);
    assert.deepEqual(f.records, [], String(answer));
    assert.deepEqual(f.lines, []);
  }
});

test("a failed copa run's outcome: its class, what to fix, the log line, and whether it is retried", () => {
  const deps = { buildkitAddr: 'tcp://127.0.0.1:1234', copaTimeoutSeconds: 300 };
  const dial =
    'Error: failed to connect to buildkit: connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:1234: connect: connection refused"';
  const buildkit = copaFailureOutcome(['pulling', dial], deps, 'library/app');
  assert.equal(buildkit.code, 'BUILDKIT_UNREACHABLE');
  assert.equal(buildkit.transient, true);
  assert.equal(
    buildkit.message,
    `copa could not reach buildkitd at tcp://127.0.0.1:1234; start buildkitd or fix the configured address. (${dial})`,
  );

  const auth = copaFailureOutcome(['Error: failed to push: 401 Unauthorized'], deps, 'library/app');
  assert.equal(auth.code, 'REGISTRY_AUTH');
  assert.equal(auth.transient, false);
  assert.match(auth.message, /^the registry refused the service robot while copa pulled or pushed library\/app; /);

  assert.match(copaFailureOutcome(['Error: patch exceeded timeout 5m0s'], deps, 'library/app').message, /within 300 s/);

  // go-containerregistry's refusal of a token service on an IP literal: a setting to change, not a retry.
  const refused =
    'Error: GET http://10.0.0.5/v2/library/app/manifests/1: refusing token-server redirect to "http://10.0.0.5/service/token": realm host "10.0.0.5" is a private or link-local address';
  const realm = copaFailureOutcome(['pulling', refused], deps, 'library/app');
  assert.equal(realm.code, 'REGISTRY_UNREACHABLE');
  assert.equal(realm.transient, false);
  assert.match(realm.message, /token service by the IP address 10\.0\.0\.5/);
  assert.match(realm.message, /external URL a host name/);
  assert.ok(realm.message.endsWith(`(${refused})`));
});
