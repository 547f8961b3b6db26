// @runs-copa
/**
 * The patch engine end to end: the adapter (in process) with the real copa, buildkitd and registry,
 * behind the Harbor stand-in. Every case works on its own fresh copy of the sample image, so any case
 * runs alone (--test-name-pattern). Real copa runs are few: one ad-hoc patch backs several assertions
 * (and, in a whole run, the re-patch case); the delete-original run goes through the jobservice API;
 * one run is cut by the task timeout and one patches in comprehensive mode.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAdapter, type RunningAdapter } from '../../src/app';
import type { PatchTuning } from '../../src/wiring';
import { HarborClient } from '../../src/harbor/client';
import { scanAndWait } from '../../src/harbor/scans';
import type { Task } from '../../src/model/execution';
import { ROBOT, startSim, type Sim } from './harness';
import { compareDebianVersions } from '@harbor-patching/shared/debversion';
import { readAdvisories, readInstalledPackages, RegistryClient } from '@harbor-patching/oci-testkit';
import {
  alive,
  copaProcessesMentioning,
  copyImage,
  pushTinyImage,
  registryDigest,
  stack,
  unique,
  waitFor,
} from './helpers';

const JOBSERVICE_SECRET = 'jobservice-secret-for-tests';
const users = {
  alice: 'Basic ' + Buffer.from('alice:Harbor12345').toString('base64'),
  gina: 'Basic ' + Buffer.from('gina:Harbor12345').toString('base64'),
  admin: 'Basic ' + Buffer.from('admin:Harbor12345').toString('base64'),
};

let sim: Sim;
let adapter: RunningAdapter;

async function startTestAdapter(overrides: Record<string, unknown> = {}, tuning: PatchTuning = {}) {
  return startAdapter(
    {
      port: 0,
      harborUrl: sim.url,
      robotName: ROBOT.name,
      robotSecret: ROBOT.secret,
      dataDir: mkdtempSync(join(tmpdir(), 'hp-patch-flow-')),
      buildkitAddr: stack.buildkitAddr,
      copaPath: stack.copaPath,
      concurrency: 2,
      taskTimeoutSeconds: 600,
      scanTimeoutSeconds: 60,
      jobserviceSecret: JOBSERVICE_SECRET,
      logLevel: 'silent',
      validateResponses: true,
      ...overrides,
    },
    { tuning: { retryBaseMs: 100, ...tuning } },
  );
}

before(async () => {
  sim = await startSim();
  adapter = await startTestAdapter();
});

after(async () => {
  await adapter?.close();
  await sim?.close();
});

const api = (path: string) => `${adapter.url}/patching/api/v1${path}`;
const enc = (repository: string) => encodeURIComponent(encodeURIComponent(repository));

async function patch(
  project: string,
  repository: string,
  reference: string,
  as = users.alice,
  body?: unknown,
  base = adapter,
) {
  return fetch(
    `${base.url}/patching/api/v1/projects/${project}/repositories/${enc(repository)}/artifacts/${reference}/patch`,
    {
      method: 'POST',
      headers: { authorization: as, 'content-type': 'application/json' },
      body: JSON.stringify(body ?? {}),
    },
  );
}

async function getJson<T>(url: string, as = users.alice): Promise<T> {
  const res = await fetch(url, { headers: { authorization: as } });
  assert.equal(res.status, 200, `GET ${url}: ${res.status} ${await res.clone().text()}`);
  return (await res.json()) as T;
}

/** Starts an ad-hoc patch and returns the execution id and task id. */
async function startPatch(project: string, repository: string, reference: string, body?: unknown, base = adapter) {
  const res = await patch(project, repository, reference, users.alice, body, base);
  assert.equal(res.status, 202, await res.clone().text());
  const execution = (await res.json()) as { id: number; trigger: string };
  return { executionId: execution.id, taskId: Number(res.headers.get('x-patch-task-id')), execution, res };
}

async function waitTask(
  project: string,
  executionId: number,
  taskId: number,
  base = adapter,
  timeoutMs = 300_000,
): Promise<Task> {
  return waitFor(
    `task ${taskId} to finish`,
    async () => {
      const t = await getJson<Task>(
        `${base.url}/patching/api/v1/projects/${project}/executions/${executionId}/tasks/${taskId}`,
      );
      return ['Pending', 'Running'].includes(t.status) ? undefined : t;
    },
    timeoutMs,
    500,
  );
}

const harbor = (path: string, method = 'GET', body?: unknown) =>
  fetch(`${sim.url}/api/v2.0${path}`, {
    method,
    headers: { authorization: users.admin, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

/** A fresh copy of the sample image in a repository of its own under `library`; answers the repository. */
async function freshSample(prefix: string): Promise<string> {
  const repo = `${unique(prefix)}/app`;
  await copyImage(stack.sampleImage, `library/${repo}:1.0`);
  return repo;
}

/**
 * A fresh copy of the sample image whose 1.0 was patched successfully (1.0-patched exists): made once per
 * file by the first case that needs one, or taken from the ad-hoc case when that already made it.
 */
let patchedSample: Promise<string> | undefined;
function patchedSampleCopy(): Promise<string> {
  patchedSample ??= (async () => {
    const repo = await freshSample('patched');
    const started = await startPatch('library', repo, '1.0');
    const t = await waitTask('library', started.executionId, started.taskId);
    assert.equal(t.status, 'Success', `patching the fresh copy: ${t.reason}: ${t.status_message}`);
    return repo;
  })();
  return patchedSample;
}

test('ad-hoc patch: permission, 202 with the execution, join, live progress, Success with tag, rescan, CVEs, VEX, labels', async (t) => {
  const repo = await freshSample('adhoc');
  const label = sim.addLabel({ name: unique('team'), scope: 'g' });
  const labelled = await harbor(`/projects/library/repositories/${enc(repo)}/artifacts/1.0/labels`, 'POST', {
    id: label.id,
  });
  assert.ok([200, 201].includes(labelled.status), `label: ${labelled.status}`);

  const denied = await patch('library', repo, '1.0', users.gina);
  assert.equal(denied.status, 403);

  const first = await startPatch('library', repo, '1.0');
  assert.equal(first.execution.trigger, 'ADHOC');
  const again = await startPatch('library', repo, '1.0');
  assert.equal(again.executionId, first.executionId, 'a second request for the same artifact joins the running one');
  assert.equal(again.res.headers.get('x-patch-joined'), 'true');

  // Live progress and the log while copa runs.
  const base = `/projects/library/executions/${first.executionId}/tasks/${first.taskId}`;
  const stages = new Set<string>();
  const percents: number[] = [];
  let logWhileRunning = '';
  for (;;) {
    const t = await getJson<Task>(api(base));
    if (t.progress) percents.push(t.progress.percent);
    if (t.status === 'Running' && t.progress) stages.add(t.progress.stage);
    if (t.status === 'Running' && !logWhileRunning) {
      const log = await fetch(api(`${base}/log`), { headers: { authorization: users.alice } });
      assert.match(log.headers.get('content-type') ?? '', /text\/plain/);
      const text = await log.text();
      if (text.includes('copa patch')) logWhileRunning = text;
    }
    if (!['Pending', 'Running'].includes(t.status)) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  const task = await getJson<Task>(api(base));
  assert.equal(task.status, 'Success', `${task.reason}: ${task.status_message}`);
  patchedSample ??= Promise.resolve(repo);
  assert.ok(logWhileRunning.includes('copa patch'), 'the log is readable while the task runs');
  // The percent moves while the task runs, never goes back, and is 100 at Success.
  percents.push(task.progress!.percent);
  for (let i = 1; i < percents.length; i++) assert.ok(percents[i] >= percents[i - 1], `went back: ${percents}`);
  assert.equal(percents.at(-1), 100);
  t.diagnostic(`progress samples: ${percents.join(' ')}`);
  const between = new Set(percents.filter((p) => p > 0 && p < 100));
  assert.ok(between.size >= 3, `percents seen while running: ${percents}`);
  assert.ok(
    [...stages].some((s) => !['Resolving artifact', 'Queued', 'Reading OS release', 'Starting copa'].includes(s)),
    `copa stages seen: ${[...stages].join(' | ')}`,
  );

  assert.equal(task.patched_tag, '1.0-patched');
  assert.equal(await registryDigest(`library/${repo}`, '1.0-patched'), task.patched_digest);
  assert.ok(task.vulnerabilities_before && task.vulnerabilities_after);
  assert.ok(task.vulnerabilities_before.fixable > 0);
  assert.ok(
    task.vulnerabilities_after.fixable < task.vulnerabilities_before.fixable,
    JSON.stringify(task.vulnerabilities_after),
  );
  assert.ok(task.fixed_cves.length > 0 && task.fixed_cves.every((c) => /^CVE-/.test(c)));
  assert.ok((task.copa_seconds ?? 0) > 0);

  const vex = await getJson<{ statements: { status: string; vulnerability: { '@id'?: string; name?: string } }[] }>(
    api(`${base}/vex`),
  );
  assert.ok(vex.statements.length > 0);
  assert.ok(vex.statements.every((s) => s.status === 'fixed'));

  const patched = (await (
    await harbor(`/projects/library/repositories/${enc(repo)}/artifacts/1.0-patched?with_label=true`)
  ).json()) as {
    labels: { id: number }[];
  };
  assert.ok(
    patched.labels.some((l) => l.id === label.id),
    'labels copied to the patched artifact',
  );

  const log = await (await fetch(api(`${base}/log`), { headers: { authorization: users.alice } })).text();
  assert.ok(
    !log.includes(ROBOT.secret) && !log.includes(Buffer.from(`${ROBOT.name}:${ROBOT.secret}`).toString('base64')),
  );

  const execution = await getJson<{ status: string; metrics: { total: number; succeeded: number } }>(
    api(`/projects/library/executions/${first.executionId}`),
  );
  assert.equal(execution.status, 'Success');
  assert.deepEqual([execution.metrics.total, execution.metrics.succeeded], [1, 1]);
  const list = await fetch(api('/projects/library/executions?trigger=ADHOC&page=1&page_size=5'), {
    headers: { authorization: users.alice },
  });
  assert.equal(list.status, 200);
  assert.ok(Number(list.headers.get('x-total-count')) >= 1);
  assert.ok(((await list.json()) as { id: number }[]).some((e) => e.id === first.executionId));
  const bad = await fetch(api('/projects/library/executions?status=Nope'), { headers: { authorization: users.alice } });
  assert.equal(bad.status, 400);
});

test('re-patching the same original is UP_TO_DATE; patching a patched tag is ALREADY_PATCHED', async () => {
  const repo = await patchedSampleCopy();
  const again = await startPatch('library', repo, '1.0');
  const t = await waitTask('library', again.executionId, again.taskId);
  assert.equal(t.status, 'Skipped');
  assert.equal(t.reason, 'UP_TO_DATE', t.status_message);

  const patched = await startPatch('library', repo, '1.0-patched');
  const p = await waitTask('library', patched.executionId, patched.taskId);
  assert.equal(p.status, 'Skipped');
  assert.equal(p.reason, 'ALREADY_PATCHED');
  assert.match(p.status_message, /original/);
});

test('NOTHING_FIXABLE (no package database, or nothing known), NOT_IMAGE and UNSUPPORTED_OS end with a reason and a plain sentence', async () => {
  const u = unique('odd');
  const adv = (await import('node:fs')).readFileSync(stack.advisories, 'utf8');
  const first = (
    JSON.parse(adv) as { advisories: { package: string; installed_version: string; fixed_version: string }[] }
  ).advisories[0];
  const dpkg = (version: string) =>
    `Package: ${first.package}\nStatus: install ok installed\nVersion: ${version}\nArchitecture: amd64\n\n`;
  const debian = 'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n';
  // No package database at all (as an image built from scratch): copa has nothing it could update.
  await pushTinyImage(`library/${u}/empty`, '1', { 'hello.txt': 'hello\n' });
  // A Debian image whose packages are all at their fixed versions: a package database, nothing known.
  await pushTinyImage(`library/${u}/clean`, '1', {
    'etc/os-release': debian,
    'var/lib/dpkg/status': dpkg(first.fixed_version),
  });
  await pushTinyImage(
    `library/${u}/chart`,
    '1',
    { 'chart.yaml': 'name: x\n' },
    'application/vnd.cncf.helm.config.v1+json',
  );
  await pushTinyImage(`library/${u}/thing`, '1', { 'thing.bin': 'x' }, 'application/vnd.example.thing.config.v1+json');
  await pushTinyImage(`library/${u}/plan9`, '1', {
    'etc/os-release': 'ID=plan9\nVERSION_ID=4\nPRETTY_NAME="Plan 9"\n',
    'var/lib/dpkg/status': dpkg(first.installed_version),
  });
  const expectations: [string, string, RegExp][] = [
    [`${u}/empty`, 'NOTHING_FIXABLE', /has no package database that copa could update.*nothing to patch/],
    [`${u}/clean`, 'NOTHING_FIXABLE', /has no known vulnerabilities: nothing to patch/],
    [`${u}/chart`, 'NOT_IMAGE', /is a Helm chart, not a container image/],
    [`${u}/thing`, 'NOT_IMAGE', /is an artifact of an unknown type \(application\/vnd\.example\.thing/],
    [`${u}/plan9`, 'UNSUPPORTED_OS', /Plan 9.*cannot patch/],
  ];
  for (const [repo, reason, message] of expectations) {
    const started = await startPatch('library', repo, '1');
    const t = await waitTask('library', started.executionId, started.taskId);
    assert.equal(t.reason, reason, `${repo}: ${t.status} ${t.reason} ${t.status_message}`);
    assert.match(t.status_message, message);
    assert.doesNotMatch(t.status_message, /\ba (UNKNOWN|IMAGE|CHART) artifact/);
    assert.equal(t.status, reason === 'UNSUPPORTED_OS' ? 'Error' : 'Skipped');
    assert.equal(t.patched_tag, null, `${repo}: nothing was pushed, so no patched tag is reported`);
  }
  // Comprehensive mode starts copa without reading os-release first; copa's failure is then explained by it.
  const started = await startPatch('library', `${u}/plan9`, '1', { mode: 'comprehensive' });
  const t = await waitTask('library', started.executionId, started.taskId);
  assert.deepEqual([t.status, t.reason], ['Error', 'UNSUPPORTED_OS'], t.status_message);
  assert.match(t.status_message, /Plan 9.*cannot patch/);
  assert.notEqual(t.copa_seconds, null, 'copa ran');
});

test('an immutable floating tag that exists is TAG_IMMUTABLE, not a raw 412', async () => {
  const project = unique('imm').replace(/-/g, '');
  sim.addProject(project);
  sim.addMember(project, 'alice', 1);
  await copyImage(stack.sampleImage, `${project}/app:1.0`);
  await copyImage(stack.sampleImage, `${project}/app:1.0-patched`);
  sim.addImmutableRule(project, { tag: '*-patched', repository: '**' });
  const started = await startPatch(project, 'app', '1.0');
  const t = await waitTask(project, started.executionId, started.taskId);
  assert.equal(t.status, 'Error');
  assert.equal(t.reason, 'TAG_IMMUTABLE', t.status_message);
  assert.match(t.status_message, /immutable tag rule.*incremental/);
});

test('buildkitd unreachable: retried as transient, then BUILDKIT_UNREACHABLE with the attempts recorded', async () => {
  const dead = `unix://${mkdtempSync(join(tmpdir(), 'hp-nobk-'))}/buildkitd.sock`;
  const other = await startTestAdapter({ buildkitAddr: dead }, { maxAttempts: 2, retryBaseMs: 100 });
  try {
    const repo = await freshSample('nobk');
    const started = await startPatch('library', repo, '1.0', undefined, other);
    const t = await waitTask('library', started.executionId, started.taskId, other);
    assert.equal(t.status, 'Error');
    assert.equal(t.reason, 'BUILDKIT_UNREACHABLE', t.status_message);
    assert.equal(t.attempt, 2);
    assert.match(t.status_message, /buildkitd/);
    assert.equal(await registryDigest(`library/${repo}`, '1.0-patched'), undefined);
    assert.equal(t.patched_tag, null, 'a failed task reports no patched tag: none was pushed');
  } finally {
    await other.close();
  }
});

test('stop during a run: copa is killed, the task is Stopped and no tag is pushed', async () => {
  const repo = await freshSample('stop');
  const started = await startPatch('library', repo, '1.0');
  const base = `/projects/library/executions/${started.executionId}`;
  await waitFor(
    'copa to start',
    async () => (await copaProcessesMentioning(repo)).length > 0 || undefined,
    120_000,
    200,
  );
  await new Promise((r) => setTimeout(r, 1500));
  const stop = await fetch(api(`${base}/stop`), { method: 'POST', headers: { authorization: users.alice } });
  assert.equal(stop.status, 200);
  const t = await waitTask('library', started.executionId, started.taskId);
  assert.equal(t.status, 'Stopped');
  assert.equal(t.reason, 'STOPPED');
  const execution = await getJson<{ status: string }>(api(base));
  assert.equal(execution.status, 'Stopped');
  await waitFor(
    'copa to exit',
    async () => ((await copaProcessesMentioning(repo)).length === 0 ? true : undefined),
    15_000,
  );
  assert.equal(await registryDigest(`library/${repo}`, '1.0-patched'), undefined);
});

test("task timeout during a real copa run: Error TIMEOUT, copa's process group is gone, no tag pushed", async () => {
  const timeoutSeconds = 10;
  // copa's own --timeout is never below 10 s and starts later, with copa, so here the task timeout (the
  // engine) is what stops it. The real copa starts 8 s late: on a quiet machine it would otherwise finish
  // within the 10 s, and the timeout would find nothing to stop.
  const slowCopa = join(mkdtempSync(join(tmpdir(), 'hp-slow-copa-')), 'copa');
  writeFileSync(
    slowCopa,
    `#!/bin/sh\nif [ "$1" = patch ]; then sleep 8; fi\nexec ${JSON.stringify(stack.copaPath)} "$@"\n`,
    { mode: 0o755 },
  );
  const other = await startTestAdapter({ taskTimeoutSeconds: timeoutSeconds, copaPath: slowCopa });
  try {
    const repo = await freshSample('timeout');
    // Scanned beforehand, so the task's time goes to copa and not to the first scan (slow on a busy machine).
    const robotHarbor = new HarborClient(
      sim.url,
      { kind: 'basic', username: ROBOT.name, password: ROBOT.secret },
      15_000,
    );
    const digest = await registryDigest(`library/${repo}`, '1.0');
    assert.ok(digest, 'the copy is in the registry');
    await scanAndWait(robotHarbor, 'library', repo, digest, { timeoutMs: 120_000 });
    const started = await startPatch('library', repo, '1.0', undefined, other);
    const [pid] = await waitFor(
      'copa to start',
      async () => {
        const pids = await copaProcessesMentioning(repo);
        return pids.length > 0 ? pids : undefined;
      },
      timeoutSeconds * 1000,
      100,
    );
    assert.ok(alive(-pid), 'copa runs as its own process group');
    const t = await waitTask('library', started.executionId, started.taskId, other, 60_000);
    assert.equal(t.status, 'Error', t.status_message);
    assert.equal(t.reason, 'TIMEOUT', t.status_message);
    assert.match(t.status_message, /longer than the configured task timeout/);
    assert.equal(t.attempt, 1, 'a timeout is not retried');
    const ran = (Date.parse(t.end_time!) - Date.parse(t.start_time!)) / 1000;
    assert.ok(ran >= timeoutSeconds && ran < timeoutSeconds + 8, `the task ran ${ran} s`);
    await waitFor("copa's process group to be gone", () => (alive(-pid) ? undefined : true), 10_000, 100);
    assert.deepEqual(await copaProcessesMentioning(repo), []);
    assert.equal(await registryDigest(`library/${repo}`, '1.0-patched'), undefined);
    assert.equal(t.patched_digest ?? null, null);
    const log = await (
      await fetch(`${other.url}/patching/api/v1/projects/library/executions/${started.executionId}/tasks/${t.id}/log`, {
        headers: { authorization: users.alice },
      })
    ).text();
    assert.match(log, /\$ copa patch/);
    assert.match(log, /TIMEOUT: /);
  } finally {
    await other.close();
  }
});

test('comprehensive ad-hoc patch: every package updated (dpkg status holds the security versions), no VEX, EOL API setting used', async () => {
  // An address that refuses connections: copa's end-of-life lookup fails at once (only a warning).
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const eolApiUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/api/v1/products`;
  await new Promise((r) => closed.close(r));
  const other = await startTestAdapter({ copaEolApiUrl: eolApiUrl });
  try {
    const repo = await freshSample('full');
    const started = await startPatch('library', repo, '1.0', { mode: 'comprehensive' }, other);
    const t = await waitTask('library', started.executionId, started.taskId, other);
    assert.equal(t.status, 'Success', `${t.reason}: ${t.status_message}`);
    assert.equal(t.patched_tag, '1.0-patched');
    assert.equal(await registryDigest(`library/${repo}`, '1.0-patched'), t.patched_digest);
    assert.ok(t.fixed_cves.length > 0);
    assert.equal(t.vulnerabilities_after?.fixable, 0, JSON.stringify(t.vulnerabilities_after));

    const registry = new RegistryClient();
    const before = await readInstalledPackages(registry, `library/${repo}:1.0`);
    const after = await readInstalledPackages(registry, `library/${repo}:1.0-patched`);
    const advisories = readAdvisories().advisories;
    assert.ok(advisories.length > 0);
    for (const a of advisories) {
      assert.ok(compareDebianVersions(before.get(a.package)!, a.fixed_version) < 0, `${a.package} was vulnerable`);
      const now = after.get(a.package);
      assert.ok(
        now && compareDebianVersions(now, a.fixed_version) >= 0,
        `${a.package} ${now} should be at least ${a.fixed_version} (${a.cve})`,
      );
    }

    const base = `${other.url}/patching/api/v1/projects/library/executions/${started.executionId}/tasks/${t.id}`;
    const vex = await fetch(`${base}/vex`, { headers: { authorization: users.alice } });
    assert.equal(vex.status, 404);
    assert.match(((await vex.json()) as { errors: { message: string }[] }).errors[0].message, /no VEX document/);
    const log = await (await fetch(`${base}/log`, { headers: { authorization: users.alice } })).text();
    const command = log.split('\n').find((l) => l.includes('$ copa patch')) ?? '';
    assert.doesNotMatch(command, /--report|--output/, 'no report, so no VEX output asked for');
    assert.ok(command.includes(`--eol-api-url ${eolApiUrl}`), command);
    assert.match(log, new RegExp(`EOL.*${eolApiUrl.replace(/[.]/g, '\\.')}/debian/releases/12`));
    assert.match(log, /comprehensive mode: copa writes no VEX document/);
  } finally {
    await other.close();
  }
});

test('jobservice API: IMAGE_PATCH with delete_original removes the original only after a verified patch; hooks in order', async () => {
  const hooks: { status: string }[] = [];
  const hookServer = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      hooks.push(JSON.parse(body) as { status: string });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => hookServer.listen(0, '127.0.0.1', () => r()));
  const hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`;
  try {
    const repo = await freshSample('del');
    const jobs = `${adapter.url}/api/v1/jobs`;
    const secret = { authorization: `Harbor-Secret ${JOBSERVICE_SECRET}`, 'content-type': 'application/json' };
    const launch = {
      job: {
        name: 'IMAGE_PATCH',
        parameters: { project_name: 'library', repository: repo, tag: '1.0', delete_original: true },
        metadata: { kind: 'Generic', unique: false },
        status_hook: hookUrl,
      },
    };
    assert.equal(
      (
        await fetch(jobs, {
          method: 'POST',
          headers: { ...secret, authorization: 'Harbor-Secret wrong' },
          body: JSON.stringify(launch),
        })
      ).status,
      401,
    );
    const bad = await fetch(jobs, {
      method: 'POST',
      headers: secret,
      body: JSON.stringify({ job: { name: 'REPLICATION', metadata: { kind: 'Generic' } } }),
    });
    assert.equal(bad.status, 400);
    const res = await fetch(jobs, { method: 'POST', headers: secret, body: JSON.stringify(launch) });
    assert.equal(res.status, 202);
    const { job } = (await res.json()) as { job: { id: string; status: string; ref_link: string; name: string } };
    assert.equal(job.name, 'IMAGE_PATCH');
    assert.equal(job.ref_link, `/api/v1/jobs/${job.id}`);
    assert.equal(job.status, 'Pending');

    const final = await waitFor(
      'the job to finish',
      async () => {
        const s = (await (await fetch(`${jobs}/${job.id}`, { headers: secret })).json()) as {
          job: { status: string; check_in?: string };
        };
        return ['Pending', 'Scheduled', 'Running'].includes(s.job.status) ? undefined : s.job;
      },
      300_000,
      500,
    );
    assert.equal(final.status, 'Success', final.check_in);
    assert.ok(await registryDigest(`library/${repo}`, '1.0-patched'), 'patched tag pushed');
    assert.equal(
      await registryDigest(`library/${repo}`, '1.0'),
      undefined,
      'original removed after the verified patch',
    );

    const log = await fetch(`${jobs}/${job.id}/log`, { headers: secret });
    assert.equal(log.status, 200);
    assert.match(await log.text(), /deleted the original/);
    assert.equal(
      (await fetch(`${jobs}/${job.id}`, { method: 'POST', headers: secret, body: JSON.stringify({ action: 'stop' }) }))
        .status,
      204,
    );
    assert.equal(
      (await fetch(`${jobs}/${job.id}`, { method: 'POST', headers: secret, body: JSON.stringify({ action: 'retry' }) }))
        .status,
      501,
    );
    const stats = (await (await fetch(`${adapter.url}/api/v1/stats`, { headers: secret })).json()) as {
      worker_pools: { job_names: string[]; status: string }[];
    };
    assert.deepEqual(stats.worker_pools[0].job_names, ['IMAGE_PATCH']);

    await waitFor('the Success hook', () => (hooks.some((h) => h.status === 'Success') ? true : undefined), 10_000);
    const order = hooks.map((h) => h.status);
    assert.deepEqual(order.slice(-2), ['Running', 'Success'], order.join(','));
  } finally {
    hookServer.close();
  }
});
