/**
 * Harbor over HTTPS with a certificate from a private CA: with PATCHING_CA_FILE the Harbor API client,
 * the health checks, the Harbor proxy (sign-in) and the registry client trust it; without it they refuse.
 * PATCHING_REGISTRY_INSECURE=true makes the registry client speak plain HTTP to the registry.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHarborSim, serviceRobot, type HarborSim } from '@harbor-patching/harbor-sim';
import { makeTestCertificates, type TestCertificates } from '@harbor-patching/oci-testkit';
import { startAdapter, type RunningAdapter } from '../../src/app';
import type { Config } from '../../src/config/config';
import { hasModernFetch } from '../../src/config/outbound';
import type { Task } from '../../src/model/execution';
import { pushTinyImage, registryUrl, stack, unique, waitFor } from '../patch/helpers';
import { Session } from '../harness';

const ROBOT = { name: 'robot$tls-patcher', secret: 'Tls-Patcher-Secret-1' };
const basic = (user: string) => 'Basic ' + Buffer.from(`${user}:Harbor12345`).toString('base64');

const dir = mkdtempSync(join(tmpdir(), 'hp-tls-'));
/** PATCHING_CA_FILE needs undici 8 (config/outbound.ts); the Node 24 run of the suite covers these. */
const withCa = { skip: hasModernFetch() ? false : `PATCHING_CA_FILE needs Node.js 22.19+, this is ${process.version}` };
let certs: TestCertificates;
let sim: HarborSim;
const adapters: RunningAdapter[] = [];

before(async () => {
  certs = makeTestCertificates(dir);
  sim = await startHarborSim({
    port: 0,
    registryUrl: registryUrl(),
    advisoriesFile: stack.advisories,
    seed: 'demo',
    scanDelayMs: 50,
    tls: { cert: certs.cert, key: certs.key },
    robots: [serviceRobot(ROBOT.name, ROBOT.secret)],
  });
});

after(async () => {
  for (const a of adapters) await a.close().catch(() => undefined);
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(overrides: Partial<Config>): Promise<RunningAdapter> {
  const adapter = await startAdapter(
    {
      port: 0,
      harborUrl: sim.url,
      robotName: ROBOT.name,
      robotSecret: ROBOT.secret,
      dataDir: mkdtempSync(join(dir, 'data-')),
      portalDir: join(dir, 'no-portal'),
      buildkitAddr: stack.buildkitAddr,
      copaPath: stack.copaPath,
      logLevel: 'silent',
      validateResponses: true,
      ...overrides,
    },
    // One attempt: a registry failure ends the task at once instead of after the retries.
    { tuning: { maxAttempts: 1 } },
  );
  adapters.push(adapter);
  return adapter;
}

async function health(adapter: RunningAdapter): Promise<Record<string, { status: string; error?: string }>> {
  const res = await fetch(`${adapter.url}/patching/api/v1/health`, { headers: { authorization: basic('admin') } });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { components: { name: string; status: string; error?: string }[] };
  return Object.fromEntries(body.components.map((c) => [c.name, c]));
}

/** Patches library/<repository>:1 as alice and waits for the task to end. */
async function patchAndWait(adapter: RunningAdapter, repository: string): Promise<Task> {
  const repo = encodeURIComponent(encodeURIComponent(repository));
  const res = await fetch(`${adapter.url}/patching/api/v1/projects/library/repositories/${repo}/artifacts/1/patch`, {
    method: 'POST',
    headers: { authorization: basic('alice'), 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(res.status, 202, await res.clone().text());
  const executionId = ((await res.json()) as { id: number }).id;
  const taskId = Number(res.headers.get('x-patch-task-id'));
  const url = `${adapter.url}/patching/api/v1/projects/library/executions/${executionId}/tasks/${taskId}`;
  return waitFor(`task ${taskId} to end`, async () => {
    const task = (await (await fetch(url, { headers: { authorization: basic('alice') } })).json()) as Task;
    return ['Pending', 'Running'].includes(task.status) ? undefined : task;
  });
}

/** An image whose scan finds a fixable package but whose os-release names an OS copa cannot patch. */
async function pushPlan9Image(): Promise<string> {
  const repository = `${unique('tls')}/plan9`;
  const file = JSON.parse(readFileSync(stack.advisories, 'utf8')) as {
    advisories: { package: string; installed_version: string }[];
  };
  const first = file.advisories[0];
  await pushTinyImage(`library/${repository}`, '1', {
    'etc/os-release': 'ID=plan9\nVERSION_ID=4\nPRETTY_NAME="Plan 9"\n',
    'var/lib/dpkg/status': `Package: ${first.package}\nStatus: install ok installed\nVersion: ${first.installed_version}\nArchitecture: amd64\n\n`,
  });
  return repository;
}

test(
  'with PATCHING_CA_FILE: health, API calls and the sign-in through the proxy reach Harbor over TLS',
  withCa,
  async () => {
    assert.match(sim.url, /^https:\/\//);
    const adapter = await start({ caFile: certs.caFile });
    const components = await health(adapter);
    assert.equal(components.harbor.status, 'healthy', components.harbor.error);
    assert.equal(components.registry.status, 'healthy', components.registry.error);

    const policies = await fetch(`${adapter.url}/patching/api/v1/projects/library/policies`, {
      headers: { authorization: basic('alice') },
    });
    assert.equal(policies.status, 200, await policies.clone().text());

    const session = new Session(adapter.url);
    await session.login('alice');
    assert.ok(session.cookies.get('sid'), 'signed in through the proxy');
    const own = await session.call('GET', '/patching/api/v1/projects/library/policies');
    assert.equal(own.status, 200, own.text);
  },
);

test(
  "with PATCHING_CA_FILE: the registry client reads the image's manifest, config and files over TLS",
  withCa,
  async () => {
    const adapter = await start({ caFile: certs.caFile });
    const task = await patchAndWait(adapter, await pushPlan9Image());
    // UNSUPPORTED_OS naming "Plan 9" comes after the manifest, the config, the tag list and os-release were read.
    assert.equal(task.reason, 'UNSUPPORTED_OS', `${task.status} ${task.reason}: ${task.status_message}`);
    assert.match(task.status_message ?? '', /Plan 9/);
  },
);

test('without PATCHING_CA_FILE the private CA is not trusted: Harbor is unhealthy, calls fail, nothing is proxied', async () => {
  const adapter = await start({});
  const components = await health(adapter);
  assert.equal(components.harbor.status, 'unhealthy');
  assert.equal(components.registry.status, 'unhealthy');
  const policies = await fetch(`${adapter.url}/patching/api/v1/projects/library/policies`, {
    headers: { authorization: basic('alice') },
  });
  assert.equal(policies.status, 502, await policies.clone().text());
  await assert.rejects(new Session(adapter.url).login('alice'), /login of alice failed: 502/);
});

test(
  'PATCHING_REGISTRY_INSECURE=true: the registry client speaks plain HTTP (here refused by the TLS registry)',
  withCa,
  async () => {
    const adapter = await start({ caFile: certs.caFile, registryInsecure: true });
    assert.equal((await health(adapter)).registry.status, 'unhealthy');
    const task = await patchAndWait(adapter, await pushPlan9Image());
    assert.equal(task.status, 'Error');
    assert.equal(task.reason, 'REGISTRY_UNREACHABLE', task.status_message);
    assert.match(task.status_message ?? '', /http:\/\/127\.0\.0\.1:/);
  },
);
