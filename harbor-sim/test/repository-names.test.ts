/**
 * Repository names are taken as they are, like Harbor's database lookups: `library/../other/app` is not a
 * repository, so every repository-scoped route answers as Harbor does for an unknown repository (404
 * `repository <name> not found`; an empty list for the artifact list), and the registry is never asked for
 * a path a URL parser would resolve into another project.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarborSim, type HarborSim } from '../src/index';
import { debianImage, ensureRegistry, RegistryClient, unique } from '@harbor-patching/oci-testkit';
import { basic, json } from './helpers';

let sim: HarborSim;
let own: string;
let other: string;
let secretDigest: string;
const admin = { authorization: basic('admin', 'Harbor12345') };

before(async () => {
  const registry = await ensureRegistry();
  sim = await startHarborSim({ registryUrl: registry, seed: 'demo' });
  own = unique('own');
  other = unique('other');
  sim.addProject(own);
  sim.addProject(other);
  const c = new RegistryClient(registry);
  await c.pushImage(`${own}/app`, '1.0', await debianImage([]));
  secretDigest = (await c.pushImage(`${other}/secret-app`, '1.0', await debianImage([]))).digest;
});
after(() => sim.close());

const api = (path: string, method = 'GET', body?: unknown) =>
  fetch(`${sim.url}/api/v2.0${path}`, {
    method,
    headers: { ...admin, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

test("a real Harbor's answer: GET .../repositories/..%252Fother%252Fsecret-app/artifacts/1.0 is 404 repository not found", async () => {
  const res = await api(`/projects/${own}/repositories/..%252F${other}%252Fsecret-app/artifacts/1.0`);
  assert.equal(res.status, 404);
  const body = await json<{ errors: { code: string; message: string }[] }>(res);
  assert.equal(body.errors[0].code, 'NOT_FOUND');
  assert.equal(body.errors[0].message, `repository ${own}/../${other}/secret-app not found`);
});

test('every repository-scoped route treats a name with "..", "." or empty components as an unknown repository', async () => {
  const label = sim.addLabel({ name: unique('l') });
  const names = [
    `..%252F${other}%252Fsecret-app`,
    `app%252F..%252F..%252F${other}%252Fsecret-app`,
    `.%252F..%252F${other}%252Fsecret-app`,
    `%252E%252E%252F${other}%252Fsecret-app`,
  ];
  for (const name of names) {
    const full = `${own}/${decodeURIComponent(decodeURIComponent(name))}`;
    const base = `/projects/${own}/repositories/${name}`;
    const routes: [string, string, unknown?][] = [
      ['GET', base],
      ['GET', `${base}/artifacts/1.0`],
      ['GET', `${base}/artifacts/${secretDigest}`],
      ['GET', `${base}/artifacts/1.0/tags`],
      ['GET', `${base}/artifacts/1.0/additions/vulnerabilities`],
      ['GET', `${base}/artifacts/1.0/scan/x/log`],
      ['POST', `${base}/artifacts/1.0/scan`],
      ['POST', `${base}/artifacts/1.0/tags`, { name: 'stolen' }],
      ['DELETE', `${base}/artifacts/1.0/tags/1.0`],
      ['POST', `${base}/artifacts/1.0/labels`, { id: label.id }],
      ['DELETE', `${base}/artifacts/1.0/labels/${label.id}`],
      ['DELETE', `${base}/artifacts/1.0`],
    ];
    for (const [method, path, body] of routes) {
      const res = await api(path, method, body);
      const text = await res.text();
      assert.equal(res.status, 404, `${method} ${path}: ${text}`);
      assert.equal(JSON.parse(text).errors[0].message, `repository ${full} not found`, `${method} ${path}`);
    }
    // Harbor lists artifacts by exact repository name: none.
    const list = await api(`${base}/artifacts?with_tag=true`);
    assert.equal(list.status, 200);
    assert.deepEqual(await json(list), []);
    assert.equal(list.headers.get('x-total-count'), '0');
  }
  // The other project's image is untouched: same tags, no label, never scanned.
  const secret = await json<{ tags: { name: string }[]; labels?: unknown[]; scan_overview?: unknown }>(
    await api(`/projects/${other}/repositories/secret-app/artifacts/1.0?with_label=true&with_scan_overview=true`),
  );
  assert.deepEqual(
    secret.tags.map((t) => t.name),
    ['1.0'],
  );
  assert.deepEqual(secret.labels ?? [], []);
  assert.equal(secret.scan_overview ?? undefined, undefined);
});

test('an unknown but well-formed repository is 404 repository not found too (Harbor looks it up by name)', async () => {
  const res = await api(`/projects/${own}/repositories/no-such-app/artifacts/1.0`);
  assert.equal(res.status, 404);
  assert.equal(
    (await json<{ errors: { message: string }[] }>(res)).errors[0].message,
    `repository ${own}/no-such-app not found`,
  );
  const known = await api(`/projects/${own}/repositories/app/artifacts/9.9`);
  assert.equal(known.status, 404);
  assert.doesNotMatch((await json<{ errors: { message: string }[] }>(known)).errors[0].message, /^repository/);
});
