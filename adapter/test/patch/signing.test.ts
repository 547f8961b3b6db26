// @runs-copa
/**
 * Signed and attested patches with the real cosign, copa, buildkitd and registry behind the Harbor
 * stand-in. One copa run: a source signed by its publisher, in a project that enforces cosign signatures,
 * patched with trust before patching and signing on; the patched image is served, verifies with
 * `cosign verify --key`, and carries copa's OpenVEX document as a referrer. Without copa: an unsigned
 * source is skipped UNTRUSTED_SOURCE, and a bad key or password stops the start and shows in health.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { startAdapter, type RunningAdapter } from '../../src/app';
import { ConfigError, loadConfig } from '../../src/config/config';
import type { Task } from '../../src/model/execution';
import { cosignPath, RegistryClient } from '@harbor-patching/oci-testkit';
import { ROBOT, startSim, type Sim } from './harness';
import { copyImage, stack, unique, waitFor } from './helpers';

const SERVICE_PASSWORD = 'service-key-password-1';
const alice = 'Basic ' + Buffer.from('alice:Harbor12345').toString('base64');
const admin = 'Basic ' + Buffer.from('admin:Harbor12345').toString('base64');

let sim: Sim;
let adapter: RunningAdapter;
let keys: string;
const trusted = unique('trusted').replace(/-/g, '');
const open = unique('open').replace(/-/g, '');

/**
 * cosign as a publisher runs it against Harbor: with a push token of the repository (`registrytoken`), the
 * only way cosign may read an unsigned manifest of a project that enforces signatures.
 */
async function cosign(args: string[], password = '', repository = `${trusted}/app`) {
  const host = new URL(sim.url).host;
  const res = await fetch(`${sim.url}/service/token?service=harbor-registry&scope=repository:${repository}:pull,push`, {
    headers: { authorization: admin },
  });
  const { token } = (await res.json()) as { token: string };
  writeFileSync(join(keys, 'config.json'), JSON.stringify({ auths: { [host]: { registrytoken: token } } }));
  return execa(cosignPath, args, {
    cwd: keys,
    reject: false,
    env: { DOCKER_CONFIG: keys, COSIGN_PASSWORD: password, COSIGN_YES: 'true' },
  });
}

function settings(extra: Record<string, unknown> = {}) {
  return {
    port: 0,
    harborUrl: sim.url,
    robotName: ROBOT.name,
    robotSecret: ROBOT.secret,
    dataDir: mkdtempSync(join(tmpdir(), 'hp-signing-')),
    buildkitAddr: stack.buildkitAddr,
    copaPath: stack.copaPath,
    cosignPath,
    signingKeyFile: join(keys, 'service.key'),
    signingPasswordFile: join(keys, 'service.password'),
    trustPublicKeyFile: join(keys, 'publisher.pub'),
    healthCacheSeconds: 0,
    logLevel: 'silent',
    validateResponses: true,
    ...extra,
  };
}

before(async () => {
  try {
    accessSync(cosignPath, constants.X_OK);
  } catch {
    throw new Error(`cosign is missing at ${cosignPath}: run bash e2e/toolchain/setup.sh`);
  }
  keys = mkdtempSync(join(tmpdir(), 'hp-signing-keys-'));
  sim = await startSim();
  for (const [prefix, password] of [
    ['service', SERVICE_PASSWORD],
    ['publisher', ''],
  ]) {
    const made = await cosign(['generate-key-pair', '--output-key-prefix', prefix], password);
    assert.equal(made.exitCode, 0, made.stderr);
  }
  writeFileSync(join(keys, 'service.password'), `${SERVICE_PASSWORD}\n`, { mode: 0o600 });
  sim.addProject(trusted, { contentTrustCosign: true });
  sim.addProject(open);
  for (const p of [trusted, open]) sim.addMember(p, 'alice', 1);
  adapter = await startAdapter(settings());
});

after(async () => {
  await adapter?.close();
  await sim?.close();
  if (keys) rmSync(keys, { recursive: true, force: true });
});

const api = (path: string) => `${adapter.url}/patching/api/v1${path}`;

async function patchAndWait(project: string, repository: string, body: unknown): Promise<Task> {
  const res = await fetch(api(`/projects/${project}/repositories/${repository}/artifacts/1.0/patch`), {
    method: 'POST',
    headers: { authorization: alice, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 202, await res.clone().text());
  const execution = (await res.json()) as { id: number };
  const taskId = Number(res.headers.get('x-patch-task-id'));
  return waitFor(
    `task ${taskId}`,
    async () => {
      const t = (await (
        await fetch(api(`/projects/${project}/executions/${execution.id}/tasks/${taskId}`), {
          headers: { authorization: alice },
        })
      ).json()) as Task;
      return ['Pending', 'Running'].includes(t.status) ? undefined : t;
    },
    300_000,
    500,
  );
}

const pullAsAdmin = (repository: string, reference: string) =>
  new RegistryClient(sim.url, { username: 'admin', password: 'Harbor12345' }).request(
    `/v2/${repository}/manifests/${reference}`,
    { headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' } },
  );

test('content trust: a signed source is patched, signed, served, verifiable, with the VEX referrer', async () => {
  const host = new URL(sim.url).host;
  await copyImage(stack.sampleImage, `${trusted}/app:1.0`);
  assert.equal((await pullAsAdmin(`${trusted}/app`, '1.0')).status, 412, 'unsigned: Harbor serves nothing');
  const published = await cosign([
    'sign',
    '--key',
    'publisher.key',
    '--use-signing-config=false',
    '--tlog-upload=false',
    '--new-bundle-format=false',
    '--allow-http-registry',
    `${host}/${trusted}/app:1.0`,
  ]);
  assert.equal(published.exitCode, 0, published.stderr);

  const started = Date.now();
  const task = await patchAndWait(trusted, 'app', { require_signed_source: true });
  const seconds = (Date.now() - started) / 1000;
  assert.equal(task.status, 'Success', `${task.reason}: ${task.status_message}`);
  assert.equal(task.signed, true);
  assert.match(task.status_message, /and signed it/);
  assert.ok(task.patched_digest && task.vex_referrer);

  // Served now that it is signed; the signature verifies against the service's public key.
  assert.equal((await pullAsAdmin(`${trusted}/app`, task.patched_tag!)).status, 200);
  const verified = await cosign([
    'verify',
    '--key',
    'service.pub',
    '--insecure-ignore-tlog',
    '--allow-http-registry',
    `${host}/${trusted}/app@${task.patched_digest}`,
  ]);
  assert.equal(verified.exitCode, 0, verified.stderr);
  const attested = await cosign([
    'verify-attestation',
    '--key',
    'service.pub',
    '--insecure-ignore-tlog',
    '--type',
    'openvex',
    '--allow-http-registry',
    `${host}/${trusted}/app@${task.patched_digest}`,
  ]);
  assert.equal(attested.exitCode, 0, attested.stderr);

  // The VEX referrer: listed for the patched digest, typed OpenVEX, holding copa's document.
  const client = new RegistryClient(sim.url, { username: 'admin', password: 'Harbor12345' });
  const referrers = (await (
    await client.request(
      `/v2/${trusted}/app/referrers/${task.patched_digest}?artifactType=${encodeURIComponent('application/vnd.openvex+json')}`,
    )
  ).json()) as { manifests: { digest: string; artifactType: string }[] };
  assert.deepEqual(
    referrers.manifests.map((m) => [m.digest, m.artifactType]),
    [[task.vex_referrer, 'application/vnd.openvex+json']],
  );
  const got = await client.request(`/v2/${trusted}/app/manifests/${task.vex_referrer}`, {
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
  });
  assert.equal(got.status, 200, 'the referrer is signed too, so the enforcing project serves it');
  const manifest = (await got.json()) as { subject: { digest: string }; layers: { digest: string }[] };
  assert.equal(manifest.subject.digest, task.patched_digest);
  const document = await (await client.request(`/v2/${trusted}/app/blobs/${manifest.layers[0].digest}`)).json();
  const vex = await (
    await fetch(api(`/projects/${trusted}/executions/${task.execution_id}/tasks/${task.id}/vex`), {
      headers: { authorization: alice },
    })
  ).json();
  assert.deepEqual(document, vex);
  assert.match((document as { '@context': string })['@context'], /^https:\/\/openvex\.dev\/ns/);

  // Harbor lists the signature, the VEX referrer and the attestation as accessories of the patched image.
  const accessories = (await (
    await fetch(
      `${sim.url}/api/v2.0/projects/${trusted}/repositories/app/artifacts/${task.patched_digest}/accessories`,
      {
        headers: { authorization: admin },
      },
    )
  ).json()) as { type: string; digest: string }[];
  assert.deepEqual(accessories.map((a) => a.type).sort(), [
    'signature.cosign',
    'signature.cosign',
    'subject.accessory',
  ]);
  assert.ok(accessories.some((a) => a.digest === task.vex_referrer && a.type === 'subject.accessory'));

  // How long signing took, for the README's figure.
  const log = await (
    await fetch(api(`/projects/${trusted}/executions/${task.execution_id}/tasks/${task.id}/log`), {
      headers: { authorization: alice },
    })
  ).text();
  assert.ok(!log.includes(SERVICE_PASSWORD), 'the key password never reaches the task log');
  const trustIn = /verifies against the trusted key \(([0-9.]+) s\)/.exec(log)?.[1];
  const signedIn = /signed \S+ with cosign in ([0-9.]+) s/.exec(log)?.[1];
  const vexIn = /OpenVEX document was attached in ([0-9.]+) s/.exec(log)?.[1];
  assert.ok(trustIn && signedIn && vexIn, log);
  console.log(
    `# task ${seconds.toFixed(1)} s: copa ${task.copa_seconds?.toFixed(1)} s, trust check ${trustIn} s, signing ${signedIn} s, VEX referrer + its signature + attestation ${vexIn} s`,
  );
});

test('trust before patching: an unsigned source is skipped UNTRUSTED_SOURCE, nothing is pushed', async () => {
  await copyImage(stack.sampleImage, `${open}/app:1.0`);
  const task = await patchAndWait(open, 'app', { require_signed_source: true });
  assert.equal(task.status, 'Skipped', task.status_message);
  assert.equal(task.reason, 'UNTRUSTED_SOURCE');
  assert.match(task.status_message, /no cosign signature that verifies against the trusted public key/);
  assert.equal(task.patched_tag, null);
  assert.equal(task.copa_seconds, null, 'copa never ran');
});

test('signing options the configuration cannot honour are refused at the edge', async () => {
  const plain = await startAdapter(
    settings({ signingKeyFile: undefined, signingPasswordFile: undefined, trustPublicKeyFile: undefined }),
  );
  try {
    const res = await fetch(`${plain.url}/patching/api/v1/projects/${open}/repositories/app/artifacts/1.0/patch`, {
      method: 'POST',
      headers: { authorization: alice, 'content-type': 'application/json' },
      body: JSON.stringify({ sign: true, require_signed_source: true }),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { errors: { field?: string; message: string }[] };
    assert.deepEqual(body.errors.map((e) => e.field).sort(), ['require_signed_source', 'sign']);
  } finally {
    await plain.close();
  }
});

test('a bad key or password stops the start with a clear error, and shows in health once replaced', async () => {
  const wrong = join(keys, 'wrong.password');
  writeFileSync(wrong, 'not-the-password\n');
  const notAKey = join(keys, 'not-a-key.pem');
  writeFileSync(notAKey, readFileSync(join(keys, 'service.pub')));
  const env = {};
  assert.throws(
    () => loadConfig(env, settings({ signingPasswordFile: wrong })),
    (err: unknown) =>
      err instanceof ConfigError &&
      /PATCHING_SIGNING_KEY_FILE: the password does not open .*service\.key/.test(err.message) &&
      !err.message.includes('not-the-password'),
  );
  assert.throws(
    () => loadConfig(env, settings({ signingKeyFile: notAKey })),
    (err: unknown) => err instanceof ConfigError && /not-a-key\.pem is not a cosign private key/.test(err.message),
  );
  assert.throws(
    () => loadConfig(env, settings({ trustPublicKeyFile: join(keys, 'service.password') })),
    (err: unknown) =>
      err instanceof ConfigError && /PATCHING_TRUST_PUBLIC_KEY_FILE: .* holds no PEM public key/.test(err.message),
  );

  // Health reads the files again: a password replaced after the start shows there.
  const password = join(keys, 'rotating.password');
  writeFileSync(password, SERVICE_PASSWORD);
  const running = await startAdapter(settings({ signingPasswordFile: password }));
  try {
    const health = async () =>
      (await (await fetch(`${running.url}/patching/api/v1/health`, { headers: { authorization: admin } })).json()) as {
        components: { name: string; status: string; error?: string }[];
      };
    assert.equal((await health()).components.find((c) => c.name === 'signing')?.status, 'healthy');
    writeFileSync(password, 'rotated-wrongly');
    const signing = (await health()).components.find((c) => c.name === 'signing');
    assert.equal(signing?.status, 'unhealthy');
    assert.match(signing?.error ?? '', /the password does not open/);
    assert.ok(!(signing?.error ?? '').includes('rotated-wrongly'));
  } finally {
    await running.close();
  }
});
