/**
 * Policy evaluation over a project in the Harbor stand-in (real registry underneath): filter
 * semantics (regex and glob, matches and excludes, labels, anchoring), patched tags, non-images,
 * scan state and the severity threshold, with every exclusion explained and Harbor requests counted.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HarborSim } from '@harbor-patching/harbor-sim';
import type { NormalizedFilter, PatchPolicy } from '@harbor-patching/shared/policy/model';
import { evaluatePolicy, newStats, type Verdict } from '../../src/policies/evaluate';
import type { EvaluablePolicy } from '../../src/policies/filters';
import { attachLabel, pushArtifact, robotClient, setScanResult, startSim, uniqueProject } from './fixtures';

let sim: HarborSim;
const P = uniqueProject('eval');

function policy(
  filters: NormalizedFilter[],
  threshold: PatchPolicy['severity_threshold'] = 'None',
  suffix = 'patched',
): EvaluablePolicy {
  return { filters, severity_threshold: threshold, tag_suffix: suffix };
}
const repo = (
  value: string,
  syntax: 'glob' | 'regex' = 'glob',
  decoration: 'matches' | 'excludes' = 'matches',
): NormalizedFilter => ({
  type: 'repository',
  value,
  syntax,
  decoration,
});
const tag = (
  value: string,
  syntax: 'glob' | 'regex' = 'glob',
  decoration: 'matches' | 'excludes' = 'matches',
): NormalizedFilter => ({
  type: 'tag',
  value,
  syntax,
  decoration,
});
const labels = (value: string[], decoration: 'matches' | 'excludes' = 'matches'): NormalizedFilter => ({
  type: 'label',
  value,
  decoration,
});

/** "repository:tag" -> "CANDIDATE" or the exclusion reason; untagged/filtered-repository entries by repository. */
async function verdicts(p: EvaluablePolicy, stats = newStats()): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const all: Verdict[] = [];
  for await (const v of evaluatePolicy(robotClient(sim), P, p, { stats })) all.push(v);
  for (const v of all) {
    if (v.kind === 'candidate') out.set(`${v.artifact.repository}:${v.artifact.tag}`, 'CANDIDATE');
    else if (v.tags?.length) out.set(`${v.repository}:${[...v.tags].sort().join('+')}`, v.reason);
    else out.set(`${v.repository}#${v.reason}`, `${v.reason}x${v.count}`);
  }
  return out;
}

const HIGH_FIXABLE = [{ severity: 'High', fixable: true }] as const;

before(async () => {
  sim = await startSim();
  sim.addProject(P);
  const prod = sim.addLabel({ name: 'prod', project: P });
  const push = async (
    r: string,
    tags: string[],
    vulns?: readonly { severity: string; fixable: boolean }[],
    kind?: 'chart',
  ) => {
    const d = await pushArtifact(`${P}/${r}`, tags, { kind });
    if (vulns) setScanResult(sim, d, vulns as never);
    // Pushed straight to the registry: tell the stand-in about untagged digests as a push through it would.
    if (tags.length === 0) sim.state.rememberDigest(`${P}/${r}`, d);
    return d;
  };
  // web/frontend
  const fe = await push('web/frontend', ['1.0'], HIGH_FIXABLE);
  attachLabel(sim, `${P}/web/frontend`, fe, prod.id);
  await push('web/frontend', ['1.0-patched'], []);
  await push('web/frontend', ['2.0-rc1'], HIGH_FIXABLE);
  await push('web/frontend', ['2.0', '2.0-patched-3'], HIGH_FIXABLE); // an original tag next to a patched one
  await push('web/frontend', ['3.0-patched-2'], []);
  // web/api: scan states and thresholds
  await push('web/api', ['1.0']); // never scanned
  await push('web/api', ['1.1'], [{ severity: 'Critical', fixable: false }]); // nothing fixable
  await push(
    'web/api',
    ['1.2'],
    [
      { severity: 'Low', fixable: true },
      { severity: 'Medium', fixable: true },
    ],
  );
  // The summary cannot decide High for these two: one High plus two fixable Lows.
  await push(
    'web/api',
    ['1.3'],
    [
      { severity: 'High', fixable: false },
      { severity: 'Low', fixable: true },
      { severity: 'Low', fixable: true },
    ],
  );
  await push(
    'web/api',
    ['1.4'],
    [
      { severity: 'High', fixable: true },
      { severity: 'Low', fixable: true },
      { severity: 'Low', fixable: false },
    ],
  );
  const failed = await push('web/api', ['1.5']);
  setScanResult(sim, failed, [], 'Error');
  await push('web/api', [], HIGH_FIXABLE); // untagged
  // web/chart: a Helm chart
  await push('web/chart', ['1.0'], undefined, 'chart');
  // tools/helper and frontend-legacy (a name that starts like web/frontend)
  await push('tools/helper', ['1.0'], HIGH_FIXABLE);
  await push('web/frontend-legacy', ['1.0'], HIGH_FIXABLE);
});

after(async () => {
  await sim?.close();
});

describe('policy evaluation over a project', () => {
  test('no filters, threshold None: every reason shows up, with the right artifacts', async () => {
    const v = await verdicts(policy([]));
    assert.equal(v.get('web/frontend:1.0'), 'CANDIDATE');
    assert.equal(v.get('web/frontend:1.0-patched'), 'ALREADY_PATCHED');
    assert.equal(v.get('web/frontend:3.0-patched-2'), 'ALREADY_PATCHED');
    assert.equal(v.get('web/frontend:2.0-rc1'), 'CANDIDATE');
    assert.equal(v.get('web/frontend:2.0'), 'CANDIDATE', 'an original tag on the artifact makes it patchable');
    assert.equal(v.get('web/api:1.0'), 'NOT_SCANNED');
    assert.equal(v.get('web/api:1.5'), 'NOT_SCANNED', 'a failed scan is no report');
    assert.equal(v.get('web/api:1.1'), 'NOTHING_FIXABLE');
    assert.equal(v.get('web/api:1.2'), 'CANDIDATE');
    assert.equal(v.get('web/api#NO_TAG'), 'NO_TAGx1');
    assert.equal(v.get('web/chart:1.0'), 'NOT_IMAGE');
    assert.equal(v.get('tools/helper:1.0'), 'CANDIDATE');
  });

  test('severity threshold: summary first, full report only when the summary cannot decide', async () => {
    const stats = newStats();
    const v = await verdicts(policy([repo(`${P}/web/api`)], 'High'), stats);
    assert.equal(v.get('web/api:1.2'), 'NOTHING_FIXABLE', 'fixable Low and Medium only');
    assert.equal(v.get('web/api:1.3'), 'NOTHING_FIXABLE', 'the High one has no fix (read from the report)');
    assert.equal(v.get('web/api:1.4'), 'CANDIDATE', 'the High one has a fix (read from the report)');
    assert.equal(v.get('web/api:1.1'), 'NOTHING_FIXABLE');
    // 1 repository page + 1 artifact page of web/api + 2 reports (1.3 and 1.4); nothing else.
    assert.equal(stats.harbor_requests, 4);
    assert.equal(stats.repositories_matched, 1);

    const critical = await verdicts(policy([repo(`${P}/web/**`)], 'Critical'));
    assert.equal(critical.get('web/frontend:1.0'), 'NOTHING_FIXABLE');
    const low = await verdicts(policy([repo(`${P}/web/api`)], 'Low'));
    assert.equal(low.get('web/api:1.2'), 'CANDIDATE');
  });

  test('glob repository filter: doublestar and single star, on the full name', async () => {
    const v = await verdicts(policy([repo(`${P}/web/**`)]));
    assert.equal(v.get('tools/helper#FILTERED_REPOSITORY'), 'FILTERED_REPOSITORYx1');
    assert.equal(v.get('web/frontend:1.0'), 'CANDIDATE');
    // `*` stays within one path segment
    const one = await verdicts(policy([repo(`${P}/*`)]));
    assert.equal(one.get('web/frontend#FILTERED_REPOSITORY'), 'FILTERED_REPOSITORYx5');
    // without the project the pattern matches nothing: filters see Harbor's full name
    const bare = await verdicts(policy([repo('web/**')]));
    assert.ok([...bare.values()].every((r) => r.startsWith('FILTERED_REPOSITORY')));
    // excludes
    const ex = await verdicts(policy([repo(`${P}/web/**`, 'glob', 'excludes')]));
    assert.equal(ex.get('tools/helper:1.0'), 'CANDIDATE');
    assert.match(ex.get('web/frontend#FILTERED_REPOSITORY') ?? '', /^FILTERED_REPOSITORY/);
  });

  test('regex repository filter is anchored on the whole name', async () => {
    const v = await verdicts(policy([repo(`${P}/web/frontend`, 'regex')]));
    assert.equal(v.get('web/frontend:1.0'), 'CANDIDATE');
    assert.match(v.get('web/frontend-legacy#FILTERED_REPOSITORY') ?? '', /^FILTERED_REPOSITORY/, 'no prefix match');
    const partial = await verdicts(policy([repo('web/frontend', 'regex')]));
    assert.ok(
      [...partial.values()].every((r) => r.startsWith('FILTERED_REPOSITORY')),
      'an unanchored substring does not match',
    );
    const alt = await verdicts(policy([repo(`.+/web/(frontend|api)`, 'regex')]));
    assert.equal(alt.get('web/api:1.2'), 'CANDIDATE');
    assert.equal(alt.get('web/frontend:1.0'), 'CANDIDATE');
    assert.match(alt.get('web/chart#FILTERED_REPOSITORY') ?? '', /^FILTERED_REPOSITORY/);
  });

  test('tag filters: glob and regex, matches and excludes, anchored', async () => {
    const only = [repo(`${P}/web/frontend`)];
    const rcOut = await verdicts(policy([...only, tag('*-rc*', 'glob', 'excludes')]));
    assert.equal(rcOut.get('web/frontend:2.0-rc1'), 'FILTERED_TAG');
    assert.equal(rcOut.get('web/frontend:1.0'), 'CANDIDATE');

    const ones = await verdicts(policy([...only, tag('1.*')]));
    assert.equal(ones.get('web/frontend:1.0'), 'CANDIDATE');
    assert.equal(ones.get('web/frontend:2.0+2.0-patched-3'), 'FILTERED_TAG');

    const re = await verdicts(policy([...only, tag('[0-9]+\\.[0-9]+', 'regex')]));
    assert.equal(re.get('web/frontend:1.0'), 'CANDIDATE');
    assert.equal(re.get('web/frontend:2.0'), 'CANDIDATE');
    assert.equal(
      re.get('web/frontend:2.0-rc1'),
      'FILTERED_TAG',
      'regex is anchored: "2.0" inside "2.0-rc1" is not enough',
    );

    const reEx = await verdicts(policy([...only, tag('.*-rc[0-9]+', 'regex', 'excludes')]));
    assert.equal(reEx.get('web/frontend:2.0-rc1'), 'FILTERED_TAG');
    assert.equal(reEx.get('web/frontend:2.0'), 'CANDIDATE');
  });

  test('label filters: matches needs the labels, excludes drops them', async () => {
    const only = [repo(`${P}/web/frontend`)];
    const prod = await verdicts(policy([...only, labels(['prod'])]));
    assert.equal(prod.get('web/frontend:1.0'), 'CANDIDATE');
    assert.equal(prod.get('web/frontend:2.0+2.0-patched-3'), 'FILTERED_LABEL');
    const both = await verdicts(policy([...only, labels(['prod', 'missing'])]));
    assert.equal(both.get('web/frontend:1.0'), 'FILTERED_LABEL', 'every listed label must be present');
    const notProd = await verdicts(policy([...only, labels(['prod'], 'excludes')]));
    assert.equal(notProd.get('web/frontend:1.0'), 'FILTERED_LABEL');
    assert.equal(notProd.get('web/frontend:2.0'), 'CANDIDATE');
  });

  test('a custom tag suffix: its tags and the default suffix count as patched', async () => {
    const v = await verdicts(policy([repo(`${P}/web/frontend`)], 'None', 'fixed'));
    assert.equal(v.get('web/frontend:1.0-patched'), 'ALREADY_PATCHED');
  });

  test('request counting matches what Harbor served, and the walk is paged', async () => {
    const stats = newStats();
    const before = sim.requestCount();
    await verdicts(policy([]), stats);
    assert.equal(sim.requestCount() - before, stats.harbor_requests);
    // 1 repositories page + 1 artifact page for each of the 5 repositories, no report needed for threshold None.
    assert.equal(stats.harbor_requests, 6);
    assert.equal(stats.repositories_total, 5);
  });
});

describe('paging', () => {
  test('repositories and artifacts are walked page by page (100 per page), never more than needed', async () => {
    const seeded = sim.seedScale({
      projects: 1,
      repositories: 3,
      artifactsPerRepository: 250,
      projectPrefix: uniqueProject('paged'),
    });
    const project = seeded.projects[0].name;
    const stats = newStats();
    let seen = 0;
    const before = sim.requestCount();
    for await (const v of evaluatePolicy(robotClient(sim), project, policy([]), { stats })) {
      seen += v.kind === 'candidate' ? 1 : v.count;
    }
    assert.equal(stats.repositories_total, 3);
    assert.equal(seen, 750, 'every artifact has a verdict (untagged ones counted per repository)');
    // 250 artifacts of which 225 tagged (Harbor leaves the untagged out with q=tags=*): 3 pages per repository.
    assert.equal(stats.artifacts_listed, 3 * 225);
    // Threshold None needs no report: 1 repositories page + 3 artifact pages x 3 repositories.
    assert.equal(stats.harbor_requests, 1 + 3 * 3);
    assert.equal(sim.requestCount() - before, stats.harbor_requests);
  });
});
