import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarborSim, type HarborSim } from '../src/index';
import { ruleMatches } from '../src/immutable';
import { debianImage, ensureRegistry, layer, RegistryClient, unique } from '@harbor-patching/oci-testkit';
import { basic, json } from './helpers';

let sim: HarborSim;
let project: string;
let registry: string;
const admin = { authorization: basic('admin', 'Harbor12345') };
const digests: Record<string, string> = {};

type Artifact = {
  id: number;
  digest: string;
  type: string;
  media_type: string;
  size: number;
  tags?: { name: string; immutable: boolean }[];
  labels?: { id: number }[];
  extra_attrs: { os?: string; architecture?: string };
  references: { child_digest: string; platform?: { os: string } }[];
};

before(async () => {
  registry = await ensureRegistry();
  sim = await startHarborSim({ registryUrl: registry, seed: 'demo' });
  project = unique('arts');
  sim.addProject(project);
  sim.addMember(project, 'dave', 2);
  sim.addMember(project, 'mona', 4);
  const c = new RegistryClient(registry);
  for (let i = 0; i < 12; i++) {
    const pushed = await c.pushImage(
      `${project}/app`,
      `1.${i}`,
      await debianImage([{ name: 'pkg', version: `1.${i}` }]),
    );
    digests[`1.${i}`] = pushed.digest;
  }
  digests.nested = (await c.pushImage(`${project}/team/api`, 'v1', await debianImage([]))).digest;
  digests.chart = (
    await c.pushImage(`${project}/chart`, '0.1.0', {
      layers: [await layer([{ path: 'chart/Chart.yaml', content: 'name: demo\n' }])],
      configMediaType: 'application/vnd.cncf.helm.config.v1+json',
      config: { name: 'demo', version: '0.1.0' },
    })
  ).digest;
  // An index with one linux child.
  const child = await c.pushImage(`${project}/multi`, 'child-tmp', await debianImage([]));
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: child.digest,
        size: JSON.stringify(child.manifest).length,
        platform: { os: 'linux', architecture: 'amd64' },
      },
    ],
  };
  const res = await c.putManifest(`${project}/multi`, 'latest', index, 'application/vnd.oci.image.index.v1+json');
  digests.index = res.headers.get('docker-content-digest')!;
  digests.child = child.digest;
});
after(() => sim.close());

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${sim.url}/api/v2.0${path}`, { ...init, headers: { ...admin, ...(init.headers as Record<string, string>) } });

describe('repositories', () => {
  test('lists the project repositories from the registry with counts', async () => {
    const res = await api(`/projects/${project}/repositories?page_size=100`);
    assert.equal(res.status, 200);
    const repos = await json<{ name: string; artifact_count: number }[]>(res);
    const byName = new Map(repos.map((r) => [r.name, r.artifact_count]));
    assert.equal(byName.get(`${project}/app`), 12);
    assert.equal(byName.get(`${project}/team/api`), 1);
    assert.equal(res.headers.get('x-total-count'), String(repos.length));
    const fuzzy = await json<{ name: string }[]>(
      await api(`/projects/${project}/repositories?q=${encodeURIComponent('name=~team')}`),
    );
    assert.deepEqual(
      fuzzy.map((r) => r.name),
      [`${project}/team/api`],
    );
  });

  test('names with a slash must be URL-encoded twice', async () => {
    const ok = await api(`/projects/${project}/repositories/team%252Fapi`);
    assert.equal(ok.status, 200);
    assert.equal((await json<{ name: string }>(ok)).name, `${project}/team/api`);
    assert.equal((await api(`/projects/${project}/repositories/team%2Fapi`)).status, 404);
    const arts = await json<Artifact[]>(await api(`/projects/${project}/repositories/team%252Fapi/artifacts`));
    assert.equal(arts[0].digest, digests.nested);
  });
});

describe('artifacts', () => {
  test('paging with Link headers exactly like Harbor', async () => {
    const first = await api(`/projects/${project}/repositories/app/artifacts`);
    assert.equal(first.headers.get('x-total-count'), '12');
    assert.equal((await json<Artifact[]>(first)).length, 10, 'page_size defaults to 10');
    assert.equal(
      first.headers.get('link'),
      `</api/v2.0/projects/${project}/repositories/app/artifacts?page=2&page_size=10>; rel="next"`,
    );
    const second = await api(`/projects/${project}/repositories/app/artifacts?page=2&page_size=5&with_tag=true`);
    assert.equal(
      second.headers.get('link'),
      `</api/v2.0/projects/${project}/repositories/app/artifacts?page=1&page_size=5&with_tag=true>; rel="prev" , </api/v2.0/projects/${project}/repositories/app/artifacts?page=3&page_size=5&with_tag=true>; rel="next"`,
    );
    const last = await api(`/projects/${project}/repositories/app/artifacts?page=3&page_size=5`);
    assert.equal((await json<Artifact[]>(last)).length, 2);
    assert.match(last.headers.get('link')!, /rel="prev"$/);
    assert.equal((await api(`/projects/${project}/repositories/app/artifacts?page_size=101`)).status, 400);
    const encoded = await api(
      `/projects/${project}/repositories/team%252Fapi/artifacts?page_size=1&q=${encodeURIComponent('tags=*')}`,
    );
    assert.equal(encoded.headers.get('link'), null);
  });

  test('artifacts carry real digests, sizes, types, tags and extra_attrs', async () => {
    const art = await json<Artifact>(await api(`/projects/${project}/repositories/app/artifacts/1.3`));
    assert.equal(art.digest, digests['1.3']);
    assert.equal(art.type, 'IMAGE');
    assert.equal(art.media_type, 'application/vnd.oci.image.config.v1+json');
    assert.ok(art.size > 100);
    assert.deepEqual(
      art.tags!.map((t) => t.name),
      ['1.3'],
    );
    assert.equal(art.extra_attrs.os, 'linux');
    assert.equal(art.extra_attrs.architecture, 'amd64');
    const byDigest = await json<Artifact>(
      await api(`/projects/${project}/repositories/app/artifacts/${digests['1.3']}`),
    );
    assert.equal(byDigest.id, art.id);
    const chart = await json<Artifact>(await api(`/projects/${project}/repositories/chart/artifacts/0.1.0`));
    assert.equal(chart.type, 'CHART');
    const index = await json<Artifact>(await api(`/projects/${project}/repositories/multi/artifacts/latest`));
    assert.equal(index.type, 'IMAGE');
    assert.equal(index.references[0].child_digest, digests.child);
    assert.equal((await api(`/projects/${project}/repositories/app/artifacts/9.9`)).status, 404);
    // A reference that does not parse as a digest is looked up as a tag, like Harbor: 404, not a 500.
    for (const odd of ['sha256:zz', `sha256:${'A'.repeat(64)}`, 'sha512:abc']) {
      const res = await api(`/projects/${project}/repositories/app/artifacts/${encodeURIComponent(odd)}`);
      assert.equal(res.status, 404, odd);
      assert.equal((await json<{ errors: { code: string }[] }>(res)).errors[0].code, 'NOT_FOUND');
    }
  });

  test('q filters: tags=*, tags=nil, tags=~v, labels=(…), sort', async () => {
    // Pushed through the stand-in: it learns the digest, so the overwritten artifact stays listed untagged.
    const c = new RegistryClient(sim.url, { username: 'admin', password: 'Harbor12345' });
    const untagged = await c.pushImage(`${project}/filters`, 'temp', await debianImage([{ name: 'x', version: '1' }]));
    await c.pushImage(`${project}/filters`, 'temp', await debianImage([{ name: 'x', version: '2' }]));
    await c.pushImage(`${project}/filters`, 'other', await debianImage([{ name: 'x', version: '3' }]));
    const list = async (q: string) =>
      (
        await json<Artifact[]>(
          await api(`/projects/${project}/repositories/filters/artifacts?q=${encodeURIComponent(q)}&with_label=true`),
        )
      ).map((a) => a.digest);
    assert.equal((await list('tags=*')).length, 2);
    assert.deepEqual(await list('tags=nil'), [untagged.digest]);
    assert.equal((await list('tags=~oth')).length, 1);
    const label = sim.addLabel({ name: 'approved', project });
    const added = await api(`/projects/${project}/repositories/filters/artifacts/other/labels`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: label.id }),
    });
    assert.equal(added.status, 200);
    const again = await api(`/projects/${project}/repositories/filters/artifacts/other/labels`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: label.id }),
    });
    assert.equal(again.status, 409);
    assert.equal((await list(`labels=(${label.id})`)).length, 1);
    const art = await json<Artifact>(
      await api(`/projects/${project}/repositories/filters/artifacts/other?with_label=true`),
    );
    assert.deepEqual(
      art.labels!.map((l) => l.id),
      [label.id],
    );
    const removed = await api(`/projects/${project}/repositories/filters/artifacts/other/labels/${label.id}`, {
      method: 'DELETE',
    });
    assert.equal(removed.status, 200);
    assert.equal((await list(`labels=(${label.id})`)).length, 0);
    type Timed = Artifact & { push_time: string };
    const asc = await json<Timed[]>(await api(`/projects/${project}/repositories/filters/artifacts?sort=push_time`));
    const desc = await json<Timed[]>(await api(`/projects/${project}/repositories/filters/artifacts?sort=-push_time`));
    assert.deepEqual(
      asc.map((a) => a.push_time),
      [...asc.map((a) => a.push_time)].sort(),
    );
    assert.deepEqual(
      desc.map((a) => a.push_time),
      [...asc.map((a) => a.push_time)].reverse(),
    );
    assert.equal((await api(`/projects/${project}/repositories/app/artifacts?sort=bogus`)).status, 400);
  });

  test('tags: create (409 when it exists), delete; artifact delete really removes it from the registry', async () => {
    const created = await api(`/projects/${project}/repositories/app/artifacts/1.0/tags`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: '1.0-copy' }),
    });
    assert.equal(created.status, 201);
    const reg = await fetch(`${registry}/v2/${project}/app/manifests/1.0-copy`, {
      method: 'HEAD',
      headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    assert.equal(reg.headers.get('docker-content-digest'), digests['1.0']);
    const dup = await api(`/projects/${project}/repositories/app/artifacts/1.1/tags`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: '1.0-copy' }),
    });
    assert.equal(dup.status, 409);
    assert.equal((await json<{ errors: { code: string }[] }>(dup)).errors[0].code, 'CONFLICT');

    const del = await api(`/projects/${project}/repositories/app/artifacts/1.0/tags/1.0-copy`, { method: 'DELETE' });
    assert.equal(del.status, 200);
    const art = await json<Artifact>(await api(`/projects/${project}/repositories/app/artifacts/1.0`));
    assert.deepEqual(
      art.tags!.map((t) => t.name),
      ['1.0'],
    );
    assert.equal((await api(`/projects/${project}/repositories/app/artifacts/1.0-copy`)).status, 404);

    const dave = { authorization: basic('dave', 'Harbor12345') };
    assert.equal(
      (
        await fetch(`${sim.url}/api/v2.0/projects/${project}/repositories/app/artifacts/1.11`, {
          method: 'DELETE',
          headers: dave,
        })
      ).status,
      403,
    );
    const mona = { authorization: basic('mona', 'Harbor12345') };
    const gone = await fetch(`${sim.url}/api/v2.0/projects/${project}/repositories/app/artifacts/1.11`, {
      method: 'DELETE',
      headers: mona,
    });
    assert.equal(gone.status, 200);
    const check = await fetch(`${registry}/v2/${project}/app/manifests/${digests['1.11']}`, { method: 'HEAD' });
    assert.equal(check.status, 404);
    assert.equal((await api(`/projects/${project}/repositories/app/artifacts`)).headers.get('x-total-count'), '11');
  });

  test('immutable tags cannot be deleted through the API (412)', async () => {
    sim.addImmutableRule(project, { tag: '1.5' });
    const del = await api(`/projects/${project}/repositories/app/artifacts/1.5/tags/1.5`, { method: 'DELETE' });
    assert.equal(del.status, 412);
    assert.equal((await json<{ errors: { code: string }[] }>(del)).errors[0].code, 'PRECONDITION');
    assert.equal((await api(`/projects/${project}/repositories/app/artifacts/1.5`, { method: 'DELETE' })).status, 412);
    const art = await json<Artifact>(
      await api(`/projects/${project}/repositories/app/artifacts/1.5?with_immutable_status=true`),
    );
    assert.equal(art.tags![0].immutable, true);
    const other = await json<Artifact>(
      await api(`/projects/${project}/repositories/app/artifacts/1.4?with_immutable_status=true`),
    );
    assert.equal(other.tags![0].immutable, false);
  });

  test('scanning a non-image artifact answers 422', async () => {
    const res = await api(`/projects/${project}/repositories/chart/artifacts/0.1.0/scan`, { method: 'POST' });
    assert.equal(res.status, 422);
  });
});

describe('immutable rules and labels API', () => {
  test('create, list, update and delete immutable rules', async () => {
    const body = {
      disabled: false,
      action: 'immutable',
      template: 'immutable_template',
      tag_selectors: [{ kind: 'doublestar', decoration: 'matches', pattern: 'release-*' }],
      scope_selectors: { repository: [{ kind: 'doublestar', decoration: 'repoMatches', pattern: '**' }] },
    };
    const created = await api(`/projects/${project}/immutabletagrules`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(created.status, 201);
    const id = Number(created.headers.get('location')!.split('/').pop());
    const rules = await json<{ id: number; tag_selectors: { pattern: string }[] }[]>(
      await api(`/projects/${project}/immutabletagrules`),
    );
    assert.ok(rules.some((r) => r.id === id && r.tag_selectors[0].pattern === 'release-*'));
    const disabled = await api(`/projects/${project}/immutabletagrules/${id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, id, disabled: true }),
    });
    assert.equal(disabled.status, 200);
    assert.equal((await api(`/projects/${project}/immutabletagrules/${id}`, { method: 'DELETE' })).status, 200);
    const bad = await api(`/projects/${project}/immutabletagrules`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tag_selectors: [] }),
    });
    assert.equal(bad.status, 400);
    const guest = await fetch(`${sim.url}/api/v2.0/projects/${project}/immutabletagrules`, {
      headers: { authorization: basic('dave', 'Harbor12345') },
    });
    assert.equal(guest.status, 403);
  });

  test('labels: global and project scope', async () => {
    const pid = sim.state.findProject(project, true)!.project_id;
    const g = await json<{ name: string }[]>(await api('/labels?scope=g'));
    assert.ok(Array.isArray(g));
    const p = await json<{ name: string; project_id: number }[]>(await api(`/labels?scope=p&project_id=${pid}`));
    assert.ok(p.every((l) => l.project_id === pid));
    assert.equal((await api('/labels?scope=x')).status, 400);
  });
});

test("immutable rules match like Harbor's matcher: first repository and first tag selector only", () => {
  const sel = (decoration: string, pattern: string) => ({ kind: 'doublestar', decoration, pattern });
  const rule = (repository: ReturnType<typeof sel>[], tags: ReturnType<typeof sel>[]) =>
    ({
      id: 1,
      project_id: 1,
      priority: 0,
      disabled: false,
      action: 'immutable',
      template: 'immutable_template',
      params: {},
      tag_selectors: tags,
      scope_selectors: { repository },
    }) as unknown as Parameters<typeof ruleMatches>[0];
  assert.equal(
    ruleMatches(rule([sel('repoMatches', '**')], [sel('matches', '*-patched')]), 'app', '1.0-patched'),
    true,
  );
  assert.equal(
    ruleMatches(
      rule([sel('repoMatches', '**')], [sel('matches', '*-patched'), sel('matches', 'nothing')]),
      'app',
      '1.0-patched',
    ),
    true,
  );
  assert.equal(
    ruleMatches(rule([], [sel('matches', '**')]), 'app', '1.0'),
    false,
    'no repository selector: never matches',
  );
  assert.equal(
    ruleMatches(rule([sel('repoMatches', '**')], []), 'app', '1.0'),
    false,
    'no tag selector: never matches',
  );
  assert.equal(ruleMatches(rule([sel('repoExcludes', 'app')], [sel('matches', '**')]), 'app', '1.0'), false);
});
