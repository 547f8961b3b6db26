/**
 * Project isolation at the edge: every project, repository, reference and tag from a path, a body, a query
 * or a jobservice job is checked against Harbor's grammar before Harbor or the registry is asked anything.
 * `..`, `.`, empty components, `//`, backslashes and control characters are a 400 naming the parameter,
 * never normalised into another name (another project's repository).
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, test } from 'node:test';
import { pushTinyImage, unique } from '../patch/helpers';
import { API, basic, launchImagePatch, PASSWORD, startCore, type Caller, type Core } from '../harness';

const JOBSERVICE_SECRET = 'Jobservice-Secret-For-Name-Tests';
let core: Core;
let dave: Caller;
/** A project dave develops in, and another one he is not a member of. */
const hidden = unique('hidden');
const other = unique('other');

before(async () => {
  core = await startCore({ jobserviceSecret: JOBSERVICE_SECRET });
  core.sim.addProject(hidden);
  core.sim.addProject(other);
  core.sim.addMember(hidden, 'dave', 2);
  await pushTinyImage(`${hidden}/app`, '1.0', { 'etc/app': 'mine\n' });
  await pushTinyImage(`${other}/secret-app`, '1.0', { 'etc/secret': 'theirs\n' });
  dave = basic(core.adapter.url, 'dave');
});
after(async () => {
  await core?.close();
});

/**
 * A call with the path sent exactly as written: fetch() would resolve `..` and `%2E%2E` segments itself,
 * as any URL parser does, while an attacker's client (curl --path-as-is) sends them as they are.
 */
function rawCall(method: string, path: string, user = 'dave'): Promise<{ status: number; body: any; text: string }> {
  const url = new URL(core.adapter.url);
  const authorization = `Basic ${Buffer.from(`${user}:${PASSWORD}`).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers: { authorization } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, body, text });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const engine = () => core.adapter.services.patching!.engine;
const executionsIn = async (project: string) =>
  (await engine().store.listExecutions({ project, page: 1, page_size: 1 })).total;

test('the reported attack: a developer of one project patching ..%252Fother%252Fsecret-app is a 400 naming the repository, and nothing is created', async () => {
  const before = [await executionsIn(hidden), await executionsIn(other)];
  for (const repository of [`..%252F${other}%252Fsecret-app`, `..%2F${other}%2Fsecret-app`]) {
    const res = await rawCall('POST', `${API}/projects/${hidden}/repositories/${repository}/artifacts/1.0/patch`);
    assert.equal(res.status, 400, `${repository}: ${res.text}`);
    assert.equal(res.body.errors[0].code, 'BAD_REQUEST');
    assert.equal(res.body.errors[0].field, 'path.repository_name', res.text);
    assert.match(res.body.errors[0].message, /repository name.*no "\.\."/, res.text);
    // The answer says nothing about the other project's tags.
    assert.doesNotMatch(res.text, /secret-app:|does not exist/);
  }
  assert.deepEqual([await executionsIn(hidden), await executionsIn(other)], before);
  // The same developer patching his own project's image is accepted: the refusal is about the name.
  const own = await dave.call('POST', `${API}/projects/${hidden}/repositories/app/artifacts/1.0/patch`);
  assert.equal(own.status, 202, own.text);
});

/** [what, method, path, field the 400 must name] */
const BAD_PATHS: [string, string, string, string][] = [
  ['".." then another project', 'POST', `repositories/..%252Fx%252Fapp/artifacts/1.0/patch`, 'path.repository_name'],
  ['".." inside', 'POST', `repositories/app%252F..%252F..%252Fx%252Fapp/artifacts/1.0/patch`, 'path.repository_name'],
  ['"." inside', 'POST', `repositories/team%252F.%252Fapp/artifacts/1.0/patch`, 'path.repository_name'],
  ['".." alone', 'POST', `repositories/%2E%2E/artifacts/1.0/patch`, 'path.repository_name'],
  ['".." alone, as written', 'POST', `repositories/../artifacts/1.0/patch`, 'path.repository_name'],
  ['"." alone', 'POST', `repositories/%2E/artifacts/1.0/patch`, 'path.repository_name'],
  ['".." encoded twice', 'POST', `repositories/%252E%252E%252Fx/artifacts/1.0/patch`, 'path.repository_name'],
  ['"//"', 'POST', `repositories/team%252F%252Fapp/artifacts/1.0/patch`, 'path.repository_name'],
  ['a leading "/"', 'POST', `repositories/%252Fapp/artifacts/1.0/patch`, 'path.repository_name'],
  ['a trailing "/"', 'POST', `repositories/app%252F/artifacts/1.0/patch`, 'path.repository_name'],
  ['a backslash', 'POST', `repositories/team%5Capp/artifacts/1.0/patch`, 'path.repository_name'],
  ['a backslash encoded twice', 'POST', `repositories/team%255Capp/artifacts/1.0/patch`, 'path.repository_name'],
  ['a newline', 'POST', `repositories/app%0A/artifacts/1.0/patch`, 'path.repository_name'],
  ['a NUL encoded twice', 'POST', `repositories/app%2500x/artifacts/1.0/patch`, 'path.repository_name'],
  ['upper case', 'POST', `repositories/App/artifacts/1.0/patch`, 'path.repository_name'],
  ['a space', 'POST', `repositories/my%20app/artifacts/1.0/patch`, 'path.repository_name'],
  [
    'longer than 255 with the project',
    'POST',
    `repositories/${'r'.repeat(250)}/artifacts/1.0/patch`,
    'path.repository_name',
  ],
  ['reference ".."', 'POST', `repositories/app/artifacts/%2E%2E/patch`, 'path.reference'],
  ['reference "..", as written', 'POST', `repositories/app/artifacts/../patch`, 'path.reference'],
  ['reference "."', 'POST', `repositories/app/artifacts/%2E/patch`, 'path.reference'],
  ['reference with a slash', 'POST', `repositories/app/artifacts/..%2F..%2Fx/patch`, 'path.reference'],
  ['reference with a backslash', 'POST', `repositories/app/artifacts/1.0%5C..%5Cx/patch`, 'path.reference'],
  ['reference with a control character', 'POST', `repositories/app/artifacts/1.0%0D/patch`, 'path.reference'],
  ['reference: a bad digest', 'POST', `repositories/app/artifacts/sha256:..%2F..%2F/patch`, 'path.reference'],
];

test('bad repository names and references in the path are 400s naming the parameter, before any Harbor call', async () => {
  const before = await executionsIn(hidden);
  for (const [what, method, path, field] of BAD_PATHS) {
    const res = await rawCall(method, `${API}/projects/${hidden}/${path}`);
    assert.equal(res.status, 400, `${what}: ${res.text}`);
    assert.equal(res.body.errors[0].field, field, `${what}: ${res.text}`);
    assert.ok(res.body.errors[0].message.length > 20, `${what}: ${res.text}`);
  }
  assert.equal(await executionsIn(hidden), before);
});

test('bad project names in the path are 400s naming path.project_name on every kind of route', async () => {
  for (const project of ['..', '%2E%2E', '.', '%2E', 'a%5Cb', 'a%0Ab', 'Hidden', 'a..b', 'a%2F..%2Fb']) {
    for (const [method, path] of [
      ['POST', `repositories/app/artifacts/1.0/patch`],
      ['GET', 'policies'],
      ['GET', 'executions'],
      ['GET', 'webhook'],
    ]) {
      const res = await rawCall(method, `${API}/projects/${project}/${path}`);
      assert.equal(res.status, 400, `${project} ${method} ${path}: ${res.text}`);
      assert.equal(res.body.errors[0].field, 'path.project_name', `${project} ${path}: ${res.text}`);
    }
  }
});

test('a name cannot come in through the body or the query instead: unknown fields are 400s naming them', async () => {
  const patch = `${API}/projects/${hidden}/repositories/app/artifacts/1.0/patch`;
  const body = await dave.call('POST', patch, { body: { repository: `../${other}/secret-app` } });
  assert.equal(body.status, 400, body.text);
  assert.equal(body.body.errors[0].field, 'repository');
  const query = await dave.call('POST', `${patch}?repository=..%2F${other}%2Fsecret-app`);
  assert.equal(query.status, 400, query.text);
  assert.equal(query.body.errors[0].field, 'query.repository');
});

const launch = (parameters: Record<string, unknown>) =>
  launchImagePatch(core.adapter.url, JOBSERVICE_SECRET, parameters);

test('jobservice IMAGE_PATCH parameters: every bad name is a 400 naming the parameter; nothing is created', async () => {
  const ok = { project_name: hidden, repository: 'app', tag: '1.0' };
  const cases: [Record<string, unknown>, string][] = [
    [{ ...ok, repository: `../${other}/secret-app` }, 'parameters.repository'],
    [{ ...ok, repository: `app/../../${other}/secret-app` }, 'parameters.repository'],
    [{ ...ok, repository: 'team/./app' }, 'parameters.repository'],
    [{ ...ok, repository: '..' }, 'parameters.repository'],
    [{ ...ok, repository: '.' }, 'parameters.repository'],
    [{ ...ok, repository: 'team//app' }, 'parameters.repository'],
    [{ ...ok, repository: '/app' }, 'parameters.repository'],
    [{ ...ok, repository: 'app/' }, 'parameters.repository'],
    [{ ...ok, repository: 'team\\app' }, 'parameters.repository'],
    [{ ...ok, repository: 'app\n' }, 'parameters.repository'],
    [{ ...ok, repository: 'app\u0000' }, 'parameters.repository'],
    [{ ...ok, repository: '' }, 'parameters.repository'],
    [{ ...ok, repository: 7 }, 'parameters.repository'],
    [{ ...ok, project_name: '..' }, 'parameters.project_name'],
    [{ ...ok, project_name: `${hidden}/..` }, 'parameters.project_name'],
    [{ repository: 'app', tag: '1.0', project: '../x' }, 'parameters.project'],
    [{ ...ok, tag: '..' }, 'parameters.tag'],
    [{ ...ok, tag: '1.0\\x' }, 'parameters.tag'],
    [{ ...ok, tag: '1.0\r' }, 'parameters.tag'],
    [{ project_name: hidden, repository: 'app', reference: '../../x' }, 'parameters.reference'],
    [{ project_name: hidden, repository: 'app', digest: 'sha256:../../x' }, 'parameters.digest'],
  ];
  const before = [await executionsIn(hidden), await executionsIn(other)];
  for (const [parameters, field] of cases) {
    const res = await launch(parameters);
    const body = (await res.json()) as { code: number; details: string; field?: string };
    assert.equal(res.status, 400, JSON.stringify(parameters));
    assert.equal(body.code, 10002);
    assert.equal(body.field, field, `${JSON.stringify(parameters)}: ${body.details}`);
    assert.ok(body.details.startsWith(field), body.details);
  }
  assert.deepEqual([await executionsIn(hidden), await executionsIn(other)], before);
});
