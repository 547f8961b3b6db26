/**
 * The jobservice API validates an IMAGE_PATCH job's parameters before it creates anything: a bad
 * project, reference, tag, mode, scheme, threshold, suffix or flag is a 400 in jobservice's body that
 * names the parameter, and no execution is left behind.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchImagePatch, startCore, type Core } from '../harness';

const SECRET = 'Jobservice-Secret-For-Input-Tests';
let core: Core;

before(async () => {
  core = await startCore({ jobserviceSecret: SECRET });
});
after(async () => {
  await core?.close();
});

const launch = (parameters: Record<string, unknown>) => launchImagePatch(core.adapter.url, SECRET, parameters);

test('bad IMAGE_PATCH parameters are 400s naming the parameter; nothing is created', async () => {
  const ok = { project_name: 'library', repository: 'sample-app', tag: '1.0' };
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...ok, project_name: '../x' }, /parameters\.project_name/],
    [{ ...ok, project_name: 'Library' }, /parameters\.project_name/],
    [{ project_name: 'library', repository: 'sample-app', digest: 'sha256:zz' }, /parameters\.digest/],
    [
      { project_name: 'library', repository: 'sample-app', reference: '../../x' },
      /parameters\.reference must be a tag/,
    ],
    [{ ...ok, tag: 'a b' }, /parameters\.(digest|tag)/],
    [{ ...ok, mode: 'everything' }, /parameters\.mode must be one of targeted, comprehensive/],
    [{ ...ok, tag_scheme: 'weekly' }, /parameters\.tag_scheme/],
    [{ ...ok, severity_threshold: 'Severe' }, /parameters\.severity_threshold/],
    [{ ...ok, tag_suffix: '../x' }, /parameters\.tag_suffix/],
    [{ ...ok, tag_suffix: 7 }, /parameters\.tag_suffix/],
    [{ ...ok, delete_original: 'yes' }, /parameters\.delete_original must be true or false/],
  ];
  const engine = core.adapter.services.patching!.engine;
  const before = (await engine.store.listExecutions({ project: 'library', page: 1, page_size: 1 })).total;
  for (const [parameters, details] of cases) {
    const res = await launch(parameters);
    const body = (await res.json()) as { code: number; details: string };
    assert.equal(res.status, 400, JSON.stringify(parameters));
    assert.equal(body.code, 10002);
    assert.match(body.details, details, JSON.stringify(parameters));
  }
  assert.equal((await engine.store.listExecutions({ project: 'library', page: 1, page_size: 1 })).total, before);
});

test('GET /api/v1/stats needs the Harbor-Secret like the rest of the jobservice API', async () => {
  const stats = (headers: Record<string, string> = {}) => fetch(`${core.adapter.url}/api/v1/stats`, { headers });
  const refused: Record<string, string>[] = [
    {},
    { authorization: 'Harbor-Secret wrong' },
    { authorization: `Bearer ${SECRET}` },
  ];
  for (const headers of refused) {
    const res = await stats(headers);
    assert.equal(res.status, 401, JSON.stringify(headers));
    const body = (await res.json()) as { code: number; worker_pools?: unknown };
    assert.equal(body.code, 10008);
    assert.equal(body.worker_pools, undefined, 'nothing about the workers is told');
  }
  const ok = await stats({ authorization: `Harbor-Secret ${SECRET}` });
  assert.equal(ok.status, 200);
  const body = (await ok.json()) as { worker_pools: { job_names: string[] }[] };
  assert.deepEqual(body.worker_pools[0].job_names, ['IMAGE_PATCH']);
});
