// @runs-copa
/**
 * Image indexes end to end: the adapter with the real copa and buildkitd patches the linux/amd64 +
 * linux/386 sample index (e2e/fixtures) platform by platform into one patched index, behind the Harbor
 * stand-in, which scans each child of an index as Harbor does. One copa run backs the ad-hoc case; the
 * policy run patches a second index and a single image; the immutability case needs no copa.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAdapter, type RunningAdapter } from '../../src/app';
import type { Task } from '../../src/model/execution';
import { ROBOT, startSim, type Sim } from './harness';
import { compareDebianVersions } from '@harbor-patching/shared/debversion';
import {
  multiarchImage,
  readAdvisories,
  readInstalledPackages,
  RegistryClient,
  registryUrl,
} from '@harbor-patching/oci-testkit';
import { copyImage, stack, unique, waitFor } from './helpers';
import { sampleImage } from '@harbor-patching/oci-testkit';

const alice = 'Basic ' + Buffer.from('alice:Harbor12345').toString('base64');
const admin = 'Basic ' + Buffer.from('admin:Harbor12345').toString('base64');
const registry = new RegistryClient(registryUrl);

let sim: Sim;
let adapter: RunningAdapter;

before(async () => {
  // copa reads an index through go-containerregistry, which refuses a token realm on 127.0.0.1 (and any
  // loopback or private IP literal): the stand-in's external URL names the host instead, as Harbor's does.
  sim = await startSim({ externalHostname: 'localhost' });
  sim.addProject(P);
  sim.addMember(P, 'alice', 1);
  adapter = await startAdapter(
    {
      port: 0,
      harborUrl: sim.url,
      robotName: ROBOT.name,
      robotSecret: ROBOT.secret,
      dataDir: mkdtempSync(join(tmpdir(), 'hp-multiplatform-')),
      buildkitAddr: stack.buildkitAddr,
      copaPath: stack.copaPath,
      concurrency: 2,
      taskTimeoutSeconds: 600,
      scanTimeoutSeconds: 60,
      logLevel: 'silent',
      validateResponses: true,
    },
    { tuning: { retryBaseMs: 100 } },
  );
});

after(async () => {
  await adapter?.close();
  await sim?.close();
});

const api = (path: string) => `${adapter.url}/patching/api/v1${path}`;
const enc = (repository: string) => encodeURIComponent(encodeURIComponent(repository));

async function getJson<T>(url: string, as = alice): Promise<T> {
  const res = await fetch(url, { headers: { authorization: as } });
  assert.equal(res.status, 200, `GET ${url}: ${res.status} ${await res.clone().text()}`);
  return (await res.json()) as T;
}

async function startPatch(project: string, repository: string, reference: string, body: unknown = {}) {
  const res = await fetch(api(`/projects/${project}/repositories/${enc(repository)}/artifacts/${reference}/patch`), {
    method: 'POST',
    headers: { authorization: alice, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 202, await res.clone().text());
  const execution = (await res.json()) as { id: number };
  return { executionId: execution.id, taskId: Number(res.headers.get('x-patch-task-id')) };
}

async function waitTask(project: string, executionId: number, taskId: number): Promise<Task> {
  return waitFor(
    `task ${taskId} to finish`,
    async () => {
      const t = await getJson<Task>(api(`/projects/${project}/executions/${executionId}/tasks/${taskId}`));
      return ['Pending', 'Running'].includes(t.status) ? undefined : t;
    },
    300_000,
    500,
  );
}

const harbor = async <T>(path: string): Promise<T> => {
  const res = await fetch(`${sim.url}/api/v2.0${path}`, { headers: { authorization: admin } });
  assert.equal(res.status, 200, `GET ${path}: ${res.status}`);
  return (await res.json()) as T;
};

interface Reference {
  child_digest: string;
  platform: { os: string; architecture: string };
}

/** The watched packages of one platform image, each at or past the advisory's fixed version. */
async function assertFixed(repository: string, digest: string, platform: string): Promise<void> {
  const installed = await readInstalledPackages(registry, `${repository}@${digest}`);
  const advisories = readAdvisories().advisories;
  assert.ok(advisories.length > 0);
  for (const a of advisories) {
    const have = installed.get(a.package);
    assert.ok(have, `${platform}: ${a.package} is installed`);
    assert.ok(
      compareDebianVersions(have, a.fixed_version) >= 0,
      `${platform}: ${a.package} ${have} is at least ${a.fixed_version}`,
    );
  }
}

/** The project of this file's index and single image (`index`, `single`). */
const P = unique('mp').replace(/-/g, '');
/** The ad-hoc case's index, patched once; a case run alone (--test-name-pattern) patches it itself. */
let patchedIndex: Promise<string> | undefined;
function patchedIndexRepo(): Promise<string> {
  patchedIndex ??= (async () => {
    const repo = 'index';
    await copyImage(multiarchImage, `${P}/${repo}:1.0`);
    const started = await startPatch(P, repo, '1.0');
    const t = await waitTask(P, started.executionId, started.taskId);
    assert.equal(t.status, 'Success', `${t.reason}: ${t.status_message}`);
    return repo;
  })();
  return patchedIndex;
}

test('ad-hoc patch of an index: one patched index, both platforms fixed, per-platform results, re-scan per child, VEX per platform', async () => {
  const repo = 'index';
  await copyImage(multiarchImage, `${P}/${repo}:1.0`);
  const full = `${P}/${repo}`;
  const source = await harbor<{ digest: string; references: Reference[] }>(
    `/projects/${P}/repositories/${enc(repo)}/artifacts/1.0`,
  );
  assert.deepEqual(
    source.references.map((r) => `${r.platform.os}/${r.platform.architecture}`),
    ['linux/amd64', 'linux/386'],
  );

  const started = await startPatch(P, repo, '1.0');
  const task = await waitTask(P, started.executionId, started.taskId);
  assert.equal(task.status, 'Success', `${task.reason}: ${task.status_message}`);
  patchedIndex ??= Promise.resolve(repo);
  assert.equal(task.patched_tag, '1.0-patched');
  assert.match(task.status_message, /linux\/amd64 patched, linux\/386 patched/);

  // One patched index, with a new image for each platform.
  const pushed = await registry.getManifest(full, '1.0-patched');
  assert.equal(pushed.digest, task.patched_digest);
  const children = (pushed.manifest.manifests ?? []).map((m) => ({
    platform: `${m.platform?.os}/${m.platform?.architecture}`,
    digest: m.digest,
  }));
  assert.deepEqual(
    children.map((c) => c.platform),
    ['linux/amd64', 'linux/386'],
  );
  for (const c of children) {
    assert.ok(!source.references.some((r) => r.child_digest === c.digest), `${c.platform} is a new image`);
    await assertFixed(full, c.digest, c.platform);
  }
  // copa's per-platform tags are gone from Harbor: the index is the result.
  const artifacts = await harbor<{ digest: string; tags: { name: string }[] | null }[]>(
    `/projects/${P}/repositories/${enc(repo)}/artifacts`,
  );
  assert.deepEqual(artifacts.flatMap((a) => (a.tags ?? []).map((t) => t.name)).sort(), ['1.0', '1.0-patched']);
  assert.deepEqual(
    artifacts.map((a) => a.digest).sort(),
    [source.digest, pushed.digest].sort(),
    'children are not listed',
  );

  // Per platform: before -> after, fixed CVEs, VEX.
  assert.ok(task.platforms);
  assert.deepEqual(
    task.platforms.map((p) => [p.platform, p.status, p.patched_digest]),
    children.map((c) => [c.platform, 'Patched', c.digest]),
  );
  for (const p of task.platforms) {
    assert.ok(p.vulnerabilities_before && p.vulnerabilities_after, p.platform);
    assert.ok(p.vulnerabilities_before.total > 0, `${p.platform} had vulnerabilities`);
    assert.equal(p.vulnerabilities_after.total, 0, `${p.platform} has none left`);
    assert.ok(p.fixed_cves.length > 0, `${p.platform} fixed CVEs`);
    assert.ok(p.has_vex, `${p.platform} has a VEX document`);
    const vex = await getJson<{ statements: { products: { '@id': string }[] }[] }>(
      api(
        `/projects/${P}/executions/${started.executionId}/tasks/${started.taskId}/vex?platform=${encodeURIComponent(p.platform)}`,
      ),
    );
    assert.ok(vex.statements.length > 0);
    assert.ok(
      vex.statements.every((s) => s.products.some((pr) => pr['@id'].endsWith(`@${p.patched_digest}`))),
      `${p.platform}'s VEX names its patched image`,
    );
  }
  assert.deepEqual(task.fixed_cves, [...new Set(task.platforms.flatMap((p) => p.fixed_cves))].sort());
  const merged = await getJson<{ statements: { products: unknown[] }[] }>(
    api(`/projects/${P}/executions/${started.executionId}/tasks/${started.taskId}/vex`),
  );
  assert.ok(
    merged.statements.every((s) => s.products.length === 2),
    'the task VEX names both platform images',
  );

  // Harbor scanned each child of the patched index; the index shows them merged.
  for (const c of children) {
    const child = await harbor<{
      scan_overview?: Record<string, { scan_status: string; summary?: { total: number } }>;
    }>(`/projects/${P}/repositories/${enc(repo)}/artifacts/${c.digest}?with_scan_overview=true`);
    const overview = Object.values(child.scan_overview ?? {})[0];
    assert.equal(overview?.scan_status, 'Success', `${c.platform} was re-scanned`);
    assert.equal(overview?.summary?.total, 0);
  }
});

test('an immutable rule on the existing patched index tag is TAG_IMMUTABLE', async () => {
  const project = unique('immidx').replace(/-/g, '');
  sim.addProject(project);
  sim.addMember(project, 'alice', 1);
  await copyImage(multiarchImage, `${project}/app:1.0`);
  await copyImage(multiarchImage, `${project}/app:1.0-patched`);
  sim.addImmutableRule(project, { tag: '*-patched', repository: '**' });
  const started = await startPatch(project, 'app', '1.0');
  const t = await waitTask(project, started.executionId, started.taskId);
  assert.equal(t.status, 'Error');
  assert.equal(t.reason, 'TAG_IMMUTABLE', t.status_message);
  assert.equal(await registry.resolve(`${project}/app`, '1.0-patched-amd64'), undefined, 'copa did not run');
});

test('a linux/386 platform image on its own is MULTI_PLATFORM: copa would patch it as the host platform', async () => {
  const index = await registry.getManifest(multiarchImage.split(':')[0], '1.0');
  const child = index.manifest.manifests!.find((m) => m.platform?.architecture === '386')!;
  await copyImage(`${multiarchImage.split(':')[0]}@${child.digest}`, `${P}/x386:1.0`);
  const started = await startPatch(P, 'x386', '1.0');
  const t = await waitTask(P, started.executionId, started.taskId);
  assert.equal(t.status, 'Skipped', t.status_message);
  assert.equal(t.reason, 'MULTI_PLATFORM');
  assert.match(
    t.status_message,
    /linux\/386 image; copa patches a single-platform image only for this host's platform/,
  );
  // Decided from Harbor's listing (its architecture), as a preview decides: no scan was asked for and copa
  // never ran. A report Harbor already has is recorded: reports are per digest, so this platform image has
  // one when the ad-hoc case above had its index scanned.
  const log = await (
    await fetch(api(`/projects/${P}/executions/${started.executionId}/tasks/${started.taskId}/log`), {
      headers: { authorization: alice },
    })
  ).text();
  assert.doesNotMatch(log, /asking Harbor to scan/);
  assert.equal(t.copa_seconds, null, 'copa never ran');
  const overview = await harbor<{ scan_overview?: Record<string, { scan_status: string }> }>(
    `/projects/${P}/repositories/x386/artifacts/${child.digest}?with_scan_overview=true`,
  );
  const reported = Object.values(overview.scan_overview ?? {})[0]?.scan_status === 'Success';
  assert.equal(t.vulnerabilities_before !== null, reported, 'the report before is the one Harbor already had, if any');
});

test('a policy run over an index and a single image: one candidate each; the patched index is UP_TO_DATE next time', async () => {
  // (A linux/386 image of the project, when the case above ran, is left out as MULTI_PLATFORM.)
  const indexRepo = await patchedIndexRepo();
  const singleRepo = 'single';
  await copyImage(sampleImage, `${P}/${singleRepo}:1.0`);
  // Policies select scanned artifacts (the index was scanned child by child when it was patched).
  const scanned = await fetch(`${sim.url}/api/v2.0/projects/${P}/repositories/${enc(singleRepo)}/artifacts/1.0/scan`, {
    method: 'POST',
    headers: { authorization: admin },
  });
  assert.equal(scanned.status, 202);
  await waitFor(
    'the scan of the single image',
    async () => {
      const a = await harbor<{ scan_overview?: Record<string, { scan_status: string }> }>(
        `/projects/${P}/repositories/${enc(singleRepo)}/artifacts/1.0?with_scan_overview=true`,
      );
      return Object.values(a.scan_overview ?? {})[0]?.scan_status === 'Success' ? true : undefined;
    },
    30_000,
    200,
  );
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(api(`/projects/${P}${path}`), {
      method,
      headers: { authorization: alice, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { id: number } };
  };
  const draft = { filters: [{ type: 'repository', value: '**' }], severity_threshold: 'High' };
  const preview = await call('POST', '/policies/preview', draft);
  assert.equal(preview.status, 200, JSON.stringify(preview.body));
  const candidates = preview.body.candidates as { repository_name: string }[];
  const excluded = preview.body.excluded as { repository_name: string; reason: string }[];
  assert.deepEqual(
    candidates.map((c) => c.repository_name),
    [`${P}/${singleRepo}`],
  );
  // The source index has nothing fixable left in its patched index; the patched index is copa's output.
  assert.deepEqual(
    excluded
      .filter((x) => x.repository_name === `${P}/${indexRepo}`)
      .map((x) => x.reason)
      .sort(),
    ['ALREADY_PATCHED', 'UP_TO_DATE'],
  );

  const policy = await call('POST', '/policies', { name: unique('mp'), ...draft });
  assert.equal(policy.status, 201, JSON.stringify(policy.body));
  const run = await call('POST', `/policies/${policy.body.id}/executions`);
  assert.equal(run.status, 201, JSON.stringify(run.body));
  const tasks = await waitFor(
    'the run to finish',
    async () => {
      const page = await getJson<Task[]>(api(`/projects/${P}/executions/${run.body.id}/tasks`));
      return page.length > 0 && page.every((t) => !['Pending', 'Running'].includes(t.status)) ? page : undefined;
    },
    300_000,
    1000,
  );
  assert.deepEqual(
    tasks.map((t) => [t.repository, t.status, t.platforms]),
    [[singleRepo, 'Success', null]],
  );
});
