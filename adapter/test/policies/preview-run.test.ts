/**
 * Preview = run: a project with one artifact of each kind the decision knows (a candidate, an original
 * whose patched tag is up to date, the patched image itself, an image copa produced under a plain
 * tag, an image index of a platform this host patches and one of a platform it does not, a Helm chart, an
 * untagged image, an unscanned image, one below the threshold).
 * The preview's decision per artifact is the one the policy run makes (it queues exactly the
 * preview's candidates, and none of them is then skipped before copa) and the one an ad-hoc patch of
 * the artifact ends with. Images are tiny synthetic ones: the candidates' tasks end at the OS check,
 * right before copa, so no copa runs here.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HarborSim } from '@harbor-patching/harbor-sim';
import { registryAddr } from '@harbor-patching/oci-testkit';
import type { RunningAdapter } from '../../src/app';
import type { Task } from '../../src/model/execution';
import { SKIP_REASONS } from '../../src/patch/decide';
import { pushArtifact, pushIndex, setScanResult, startSim, startTestAdapter, tempDir, uniqueProject } from './fixtures';

const P = uniqueProject('same');
let sim: HarborSim;
let adapter: RunningAdapter;
let dir: ReturnType<typeof tempDir>;
const digests: Record<string, string> = {};

const alice = `Basic ${Buffer.from('alice:Harbor12345').toString('base64')}`;
const engine = () => adapter.services.patching!.engine;
const runs = () => adapter.services.patching!;

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${adapter.url}/patching/api/v1/projects/${P}${path}`, {
    method,
    headers: { authorization: alice, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** What each artifact must come to (the candidate's task stops at the OS check: a tiny image has no OS). */
const EXPECTED: Record<string, { ref: string; decision: string }> = {
  candidate: { ref: '1.0', decision: 'PATCH' },
  up: { ref: '1.0', decision: 'UP_TO_DATE' },
  upPatched: { ref: '1.0-patched', decision: 'ALREADY_PATCHED' },
  retagged: { ref: '2.0', decision: 'ALREADY_PATCHED' },
  index: { ref: '1.0', decision: 'MULTI_PLATFORM' },
  indexAmd64: { ref: '1.0', decision: 'PATCH' },
  chart: { ref: '1.0', decision: 'NOT_IMAGE' },
  untagged: { ref: '', decision: 'NO_TAG' },
  unscanned: { ref: '1.0', decision: 'NOT_SCANNED' },
  low: { ref: '1.0', decision: 'NOTHING_FIXABLE' },
};
const repositoryOf: Record<string, string> = {
  candidate: 'app/candidate',
  up: 'app/up',
  upPatched: 'app/up',
  retagged: 'app/retagged',
  index: 'app/index',
  indexAmd64: 'app/index-amd64',
  chart: 'app/chart',
  untagged: 'app/untagged',
  unscanned: 'app/unscanned',
  low: 'app/low',
};

before(async () => {
  sim = await startSim();
  sim.addProject(P);
  sim.addUser('alice');
  sim.addMember(P, 'alice', 1);
  const full = (key: string) => `${P}/${repositoryOf[key]}`;
  const high = [{ severity: 'High', fixable: true }] as const;
  const pushed = (key: string, at: string) => sim.state.rememberDigest(full(key), digests[key], at);

  digests.candidate = await pushArtifact(full('candidate'), ['1.0']);
  setScanResult(sim, digests.candidate, [...high]);

  // An original and the image copa made from it (BaseImage = this digest), pushed later, nothing fixable left.
  digests.up = await pushArtifact(full('up'), ['1.0']);
  setScanResult(sim, digests.up, [...high]);
  pushed('up', '2026-01-01T00:00:00.000Z');
  digests.upPatched = await pushArtifact(full('up'), ['1.0-patched'], {
    baseImage: `${registryAddr}/${full('up')}@${digests.up}`,
  });
  setScanResult(sim, digests.upPatched, []);
  pushed('upPatched', '2026-01-01T00:10:00.000Z');

  // copa's output under a plain tag (re-tagged by someone): still a patch result.
  digests.retagged = await pushArtifact(full('retagged'), ['2.0'], {
    baseImage: `${registryAddr}/${full('retagged')}@sha256:${'1'.repeat(64)}`,
  });
  setScanResult(sim, digests.retagged, [...high]);

  // Only linux/arm64: no platform this (x86_64) host runs natively.
  const child = await pushArtifact(full('index'), []);
  digests.index = await pushIndex(full('index'), '1.0', [child], { architecture: 'arm64', os: 'linux' });
  setScanResult(sim, digests.index, [...high]);
  // linux/amd64: a candidate, as one artifact (Harbor shows the index with its children's reports merged).
  const amd64Child = await pushArtifact(full('indexAmd64'), []);
  digests.indexAmd64 = await pushIndex(full('indexAmd64'), '1.0', [amd64Child]);
  setScanResult(sim, digests.indexAmd64, [...high]);

  digests.chart = await pushArtifact(full('chart'), ['1.0'], { kind: 'chart' });

  digests.untagged = await pushArtifact(full('untagged'), []);
  setScanResult(sim, digests.untagged, [...high]);
  pushed('untagged', '2026-01-01T00:00:00.000Z');

  digests.unscanned = await pushArtifact(full('unscanned'), ['1.0']);

  digests.low = await pushArtifact(full('low'), ['1.0']);
  setScanResult(sim, digests.low, [{ severity: 'Low', fixable: true }]);

  dir = tempDir();
  adapter = await startTestAdapter(sim, dir.path, { concurrency: 1 });
});

after(async () => {
  await adapter?.close();
  await sim?.close();
  dir?.remove();
});

async function waitTask(executionId: number, taskId: number): Promise<Task> {
  for (const until = Date.now() + 120_000; ;) {
    const t = (await engine().store.getTask(taskId))!;
    if (!['Pending', 'Running'].includes(t.status)) return t;
    if (Date.now() > until) throw new Error(`task ${taskId} of execution ${executionId} still ${t.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A task's outcome in the decision's words: PATCH when nothing before copa stopped it. */
const decisionOf = (t: Task) => ((SKIP_REASONS as readonly string[]).includes(t.reason ?? '') ? t.reason : 'PATCH');

test('preview, policy run and ad-hoc patches make the same decision for every artifact', async () => {
  const policy = await call('POST', '/policies', {
    name: 'same-decision',
    filters: [{ type: 'repository', value: `${P}/app/**` }],
    severity_threshold: 'High',
  });
  assert.equal(policy.status, 201, JSON.stringify(policy.body));

  // 1. The preview.
  const preview = await call('POST', '/policies/preview', { policy_id: policy.body.id });
  assert.equal(preview.status, 200, JSON.stringify(preview.body));
  const previewed = new Map<string, string>();
  for (const c of preview.body.candidates as { digest: string; repository_name: string; tag: string }[]) {
    previewed.set(c.digest, 'PATCH');
    assert.match(c.repository_name, new RegExp(`^${P}/app/`), 'full repository names, as the filters match them');
  }
  for (const x of preview.body.excluded as { digest?: string; repository_name: string; reason: string }[]) {
    assert.match(x.repository_name, new RegExp(`^${P}/app/`));
    previewed.set(x.digest ?? `${x.repository_name}#untagged`, x.reason);
  }
  const previewDecision = (key: string) =>
    previewed.get(key === 'untagged' ? `${P}/${repositoryOf.untagged}#untagged` : digests[key]);
  for (const [key, { decision }] of Object.entries(EXPECTED)) {
    assert.equal(previewDecision(key), decision, `preview of ${repositoryOf[key]} (${key})`);
  }
  assert.equal(preview.body.counts.candidates, 2);

  // 2. A run of the policy queues exactly the preview's candidates, and none is skipped before copa.
  const run = await call('POST', `/policies/${policy.body.id}/executions`);
  assert.equal(run.status, 201, JSON.stringify(run.body));
  await runs().runner.idle();
  const tasks = await engine().store.tasksOfExecution(run.body.id);
  assert.deepEqual(tasks.map((t) => t.source_digest).sort(), [digests.candidate, digests.indexAmd64].sort());
  for (const t of tasks) {
    const done = await waitTask(run.body.id, t.id);
    assert.equal(decisionOf(done), 'PATCH', `${done.repository}: ${done.reason} ${done.status_message}`);
    assert.equal(done.reason, 'UNSUPPORTED_OS', 'it got as far as the OS check right before copa');
    assert.equal(done.patched_tag, null, 'nothing was pushed, so no patched tag is reported');
  }

  // 3. An ad-hoc patch of each artifact ends as the preview said (an unscanned one is scanned first
  //    when patched ad hoc, by design, so it is left out here).
  for (const [key, { ref, decision }] of Object.entries(EXPECTED)) {
    if (key === 'unscanned') continue;
    const reference = ref || digests[key];
    const res = await call(
      'POST',
      `/repositories/${encodeURIComponent(encodeURIComponent(repositoryOf[key]))}/artifacts/${reference}/patch`,
      { severity_threshold: 'High' },
    );
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const t = await waitTask(res.body.id, Number(res.headers.get('x-patch-task-id')));
    assert.equal(decisionOf(t), decision, `ad-hoc ${repositoryOf[key]}:${reference}: ${t.reason} ${t.status_message}`);
    if (decision === 'UP_TO_DATE') {
      assert.equal(t.patched_tag, '1.0-patched', 'the patched image that is there is reported');
      assert.equal(t.patched_digest, digests.upPatched);
    } else {
      assert.equal(t.patched_tag, null, `${key}: no patched tag reported when none was pushed`);
    }
    if (decision === 'NOT_IMAGE') assert.match(t.status_message, /is a Helm chart, not a container image/);
    assert.doesNotMatch(t.status_message, /\ba (UNKNOWN|IMAGE|CHART)\b/);
  }
});
