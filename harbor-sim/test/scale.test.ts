import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MIME_NATIVE_11, startHarborSim, type HarborSim } from '../src/index';
import { ensureRegistry } from '@harbor-patching/oci-testkit';
import { basic, json } from './helpers';

let sim: HarborSim;
let seedMs = 0;
const admin = { authorization: basic('admin', 'Harbor12345') };

before(async () => {
  sim = await startHarborSim({ registryUrl: await ensureRegistry() });
  const seeded = sim.seedScale({ projects: 1, repositories: 1000, artifactsPerRepository: 100 });
  seedMs = seeded.ms;
  assert.equal(seeded.artifacts, 100_000);
});
after(() => sim.close());

const get = (path: string) => fetch(`${sim.url}/api/v2.0${path}`, { headers: admin });

describe('scale mode', () => {
  test('seeds 1000 repositories x 100 artifacts quickly', () => {
    process.stdout.write(`# seedScale 100k artifacts: ${seedMs.toFixed(0)} ms\n`);
    assert.ok(seedMs < 15000, `seeding took ${seedMs} ms`);
  });

  test('pages of repositories and artifacts answer fast, with Harbor paging headers', async () => {
    const repos = await get('/projects/scale-0/repositories?page=50&page_size=20');
    assert.equal(repos.headers.get('x-total-count'), '1000');
    assert.equal((await json<unknown[]>(repos)).length, 20);
    const t0 = performance.now();
    const rounds = 200;
    for (let i = 0; i < rounds; i++) {
      const repo = `app-${String(i * 5).padStart(4, '0')}`;
      const res = await get(
        `/projects/scale-0/repositories/${repo}/artifacts?page=${(i % 10) + 1}&page_size=10&with_scan_overview=true&with_label=true&with_tag=true`,
      );
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    }
    const perPage = (performance.now() - t0) / rounds;
    process.stdout.write(
      `# artifact page (10, with scan overview and labels): ${perPage.toFixed(2)} ms average over ${rounds}\n`,
    );
    assert.ok(perPage < 50, `a page took ${perPage} ms on average`);
    const t1 = performance.now();
    for (let i = 1; i <= 50; i++)
      await (await get(`/projects/scale-0/repositories?page=${i}&page_size=20`)).arrayBuffer();
    process.stdout.write(`# repository page (20 of 1000): ${((performance.now() - t1) / 50).toFixed(2)} ms average\n`);
  });

  test('synthetic artifacts look like Harbor artifacts: tags, patched tags, labels, varied scan overviews', async () => {
    const res = await get(
      '/projects/scale-0/repositories/app-0001/artifacts?page_size=100&with_scan_overview=true&with_label=true',
    );
    const list = await json<
      {
        digest: string;
        tags: { name: string }[];
        labels: { id: number }[];
        scan_overview?: Record<string, { severity: string; summary: { fixable: number } }>;
      }[]
    >(res);
    assert.equal(list.length, 100);
    assert.ok(list.some((a) => a.tags.some((t) => t.name.endsWith('-patched'))));
    assert.ok(list.some((a) => a.tags.length === 0));
    assert.ok(list.some((a) => a.labels.length > 0));
    const severities = new Set(list.map((a) => a.scan_overview?.[MIME_NATIVE_11]?.severity ?? 'unscanned'));
    assert.ok(severities.size >= 3, `varied severities: ${[...severities]}`);
    assert.ok(list.some((a) => (a.scan_overview?.[MIME_NATIVE_11]?.summary.fixable ?? 0) > 0));
    const again = await json<{ digest: string }[]>(
      await get('/projects/scale-0/repositories/app-0001/artifacts?page_size=100'),
    );
    assert.deepEqual(
      again.map((a) => a.digest),
      list.map((a) => a.digest),
      'deterministic order',
    );
    const tagged = await get(
      `/projects/scale-0/repositories/app-0001/artifacts?q=${encodeURIComponent('tags=~patched')}`,
    );
    assert.ok(Number(tagged.headers.get('x-total-count')) > 0);
    const vulns = await json<Record<string, { vulnerabilities: unknown[] }>>(
      await get(`/projects/scale-0/repositories/app-0001/artifacts/${list[0].digest}/additions/vulnerabilities`),
    );
    assert.ok(Object.keys(vulns).length <= 1);
  });

  test('counts the requests it served', async () => {
    sim.resetRequestCount();
    for (let i = 0; i < 7; i++) await (await get('/ping')).arrayBuffer();
    assert.equal(sim.requestCount(), 7);
  });
});
