// Cosign content trust and accessories, with the real cosign against the stand-in in front of the real
// registry: a project with `enable_content_trust_cosign` refuses an unsigned manifest (412, Harbor's body),
// cosign itself may read it to sign it, and once signed the manifest is served and the signature is listed
// as the artifact's `signature.cosign` accessory (and by the referrers API), never as an artifact of its own.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { startHarborSim, type HarborSim } from '../src/index';
import { cosignPath, debianImage, ensureRegistry, RegistryClient, unique } from '@harbor-patching/oci-testkit';
import { basic, json } from './helpers';

let sim: HarborSim;
let dir: string;
let project: string;
let digest: string;
const admin = { username: 'admin', password: 'Harbor12345' };
const MANIFEST_ACCEPT = 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json';

/**
 * cosign with a push token of the repository in its docker config (`registrytoken`): with Basic credentials
 * cosign asks a pull-only token for its reads, and Harbor lets only a cosign holding push rights read an
 * unsigned manifest of an enforcing project.
 */
async function cosign(args: string[]) {
  const host = new URL(sim.url).host;
  const token = await json<{ token: string }>(
    await fetch(`${sim.url}/service/token?service=harbor-registry&scope=repository:${project}/app:pull,push`, {
      headers: { authorization: basic(admin.username, admin.password) },
    }),
  );
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [host]: { registrytoken: token.token } } }));
  return execa(cosignPath, args, {
    cwd: dir,
    reject: false,
    env: { DOCKER_CONFIG: dir, COSIGN_PASSWORD: '', COSIGN_YES: 'true' },
  });
}

before(async () => {
  try {
    accessSync(cosignPath, constants.X_OK);
  } catch {
    throw new Error(`cosign is missing at ${cosignPath}: run bash e2e/toolchain/setup.sh`);
  }
  const registry = await ensureRegistry();
  sim = await startHarborSim({ registryUrl: registry, seed: 'demo' });
  project = unique('trust');
  sim.addProject(project, { contentTrustCosign: true });
  digest = (await new RegistryClient(registry).pushImage(`${project}/app`, '1.0', await debianImage([]))).digest;
  dir = mkdtempSync(join(tmpdir(), 'hp-sim-cosign-'));
  const made = await cosign(['generate-key-pair']);
  assert.equal(made.exitCode, 0, made.stderr);
});

after(async () => {
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const pull = (method: 'GET' | 'HEAD', reference: string, userAgent = 'docker/27.0') =>
  new RegistryClient(sim.url, admin).request(`/v2/${project}/app/manifests/${reference}`, {
    method,
    headers: { accept: MANIFEST_ACCEPT, 'user-agent': userAgent },
  });

/** Signs `${project}/app@<digest>` with the test key, offline (no transparency log), in cosign's legacy format. */
const sign = (digestToSign: string, extra: string[] = []) =>
  cosign([
    'sign',
    '--key',
    'cosign.key',
    '--use-signing-config=false',
    '--tlog-upload=false',
    '--new-bundle-format=false',
    '--allow-http-registry',
    ...extra,
    `${new URL(sim.url).host}/${project}/app@${digestToSign}`,
  ]);

test('an unsigned manifest of a project with cosign content trust is refused with 412, as Harbor does', async () => {
  const meta = await json<{ metadata: Record<string, string> }>(
    await fetch(`${sim.url}/api/v2.0/projects/${project}`, {
      headers: { authorization: basic('admin', 'Harbor12345') },
    }),
  );
  assert.equal(meta.metadata.enable_content_trust_cosign, 'true');
  for (const reference of ['1.0', digest]) {
    const res = await pull('GET', reference);
    assert.equal(res.status, 412);
    assert.deepEqual(await res.json(), {
      errors: [{ code: 'PROJECTPOLICYVIOLATION', message: 'The image is not signed by cosign.' }],
    });
    assert.equal((await pull('HEAD', reference)).status, 412);
  }
  // Only cosign (or notation) holding push rights is let through, so that it can sign; a pull token is not.
  assert.equal((await pull('GET', '1.0', 'cosign/v3.1.3 (linux; amd64)')).status, 412);
});

test('signed with cosign: served, listed as its signature.cosign accessory and as a referrer, and verifiable', async () => {
  const host = new URL(sim.url).host;
  const signed = await sign(digest);
  assert.equal(signed.exitCode, 0, signed.stderr);

  const res = await pull('GET', '1.0');
  assert.equal(res.status, 200, await res.clone().text());
  const verified = await cosign([
    'verify',
    '--key',
    'cosign.pub',
    '--insecure-ignore-tlog',
    '--allow-http-registry',
    `${host}/${project}/app@${digest}`,
  ]);
  assert.equal(verified.exitCode, 0, verified.stderr);

  const headers = { authorization: basic('admin', 'Harbor12345') };
  const artifacts = await json<{ digest: string; accessories?: { type: string; subject_artifact_digest: string }[] }[]>(
    await fetch(`${sim.url}/api/v2.0/projects/${project}/repositories/app/artifacts`, { headers }),
  );
  assert.deepEqual(
    artifacts.map((a) => a.digest),
    [digest],
    'the signature (tag sha256-<hex>.sig) is not an artifact of the list',
  );
  assert.deepEqual(
    artifacts[0].accessories?.map((a) => [a.type, a.subject_artifact_digest]),
    [['signature.cosign', digest]],
  );
  const accessories = await json<{ type: string; digest: string }[]>(
    await fetch(`${sim.url}/api/v2.0/projects/${project}/repositories/app/artifacts/1.0/accessories`, { headers }),
  );
  assert.deepEqual(
    accessories.map((a) => a.type),
    ['signature.cosign'],
  );
  // Without accessories when asked so.
  const bare = await json<{ accessories?: unknown }>(
    await fetch(`${sim.url}/api/v2.0/projects/${project}/repositories/app/artifacts/1.0?with_accessory=false`, {
      headers,
    }),
  );
  assert.equal(bare.accessories, undefined);

  const referrers = await new RegistryClient(sim.url, admin).request(`/v2/${project}/app/referrers/${digest}`);
  assert.equal(referrers.status, 200);
  assert.equal(referrers.headers.get('content-type'), 'application/vnd.oci.image.index.v1+json');
  const index = (await referrers.json()) as { manifests: { digest: string }[] };
  assert.deepEqual(
    index.manifests.map((m) => m.digest),
    [accessories[0].digest],
  );
  // The signature itself is served even though it carries no signature of its own.
  assert.equal((await pull('GET', accessories[0].digest)).status, 200);
});

test('a child of an index is an artifact of its own: refused until it carries a signature (cosign sign --recursive)', async () => {
  const registry = new RegistryClient(await ensureRegistry());
  // The child goes in untagged (by digest), so it is known only through the index that references it.
  const staged = await registry.pushImage(`${project}/staging`, 'child', await debianImage([]));
  const childDigest = await registry.copyImage(`${project}/staging:child`, `${project}/app@${staged.digest}`);
  const child = { digest: childDigest, manifest: staged.manifest };
  const index = await registry.pushIndex(`${project}/app`, '2.0', [child]);
  assert.equal(index.status, 201);
  const indexDigest = index.headers.get('docker-content-digest')!;

  assert.equal((await pull('GET', child.digest)).status, 412, 'an unsigned child is refused like any artifact');
  const signed = await sign(indexDigest, ['--recursive']);
  assert.equal(signed.exitCode, 0, signed.stderr);
  assert.equal((await pull('GET', '2.0')).status, 200);
  assert.equal((await pull('GET', child.digest)).status, 200, 'the child carries its own signature now');
});
