/**
 * The service robot: one permission list (README = code = what is checked), a check at start and in health,
 * and three problems told apart wherever they show (ad-hoc patch, preview, task reasons): Harbor rejected the
 * robot's credentials, the robot has no access to the project, the robot lacks a permission.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { SERVICE_ROBOT_ACCESS } from '@harbor-patching/harbor-sim';
import { startAdapter, type RunningAdapter } from '../../src/app';
import { HarborClient, HarborError } from '../../src/harbor/client';
import { ROBOT_PERMISSIONS, ServiceRobot, permissionName, robotPermissions } from '../../src/harbor/robot';
import { createLogger } from '../../src/http/observability';
import { explainRefusal } from '../../src/patch/robot';
import { fail } from '../../src/patch/reasons';
import { API, basic, startCore, type Core } from '../harness';

const README = join(import.meta.dirname, '../../../README.md');
/** A private project the service robots below are not given. */
const OTHER = 'robotless';
/** A project where one robot lacks scan:create. */
const PARTIAL = 'partial';
/** A project where that robot may patch but not list webhook policies. */
const NO_HOOKS = 'nohooks';

let core: Core;
const adapters: RunningAdapter[] = [];
const logLines: { level: number; msg: string }[] = [];

async function adapterWith(robotName: string, robotSecret: string, log = false): Promise<RunningAdapter> {
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  const adapter = await startAdapter(
    {},
    {
      config: {
        ...core.adapter.config,
        port: 0,
        dataDir: join(core.dataDir, robotName.replace(/\W/g, '-')),
        robotName,
        robotSecret,
        webhookSecret: 'Webhook-Secret-1',
      },
      logger: log ? createLogger('info', sink) : createLogger('silent'),
    },
  );
  adapters.push(adapter);
  return adapter;
}

const patchPath = (project: string) => `${API}/projects/${project}/repositories/sample-app/artifacts/1.0/patch`;

before(async () => {
  core = await startCore();
  core.sim.addProject(OTHER, { public: false, owner: 'admin' });
  core.sim.addProject(PARTIAL, { public: false, owner: 'admin' });
  core.sim.addProject(NO_HOOKS, { public: false, owner: 'admin' });
  const without = (resource: string, action: string) =>
    SERVICE_ROBOT_ACCESS.filter((a) => !(a.resource === resource && a.action === action));
  const withoutScan = without('scan', 'create');
  core.sim.addRobot({
    name: 'robot$narrow',
    secret: 'Narrow-Secret-1',
    level: 'system',
    permissions: [
      { kind: 'project', namespace: 'library', access: SERVICE_ROBOT_ACCESS },
      { kind: 'project', namespace: PARTIAL, access: withoutScan },
      { kind: 'project', namespace: NO_HOOKS, access: without('notification-policy', 'list') },
    ],
  });
});

after(async () => {
  for (const a of adapters) await a.close();
  await core?.close();
});

test("README's robot permission list is the list the service checks", () => {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf('- Create a system robot account');
  assert.ok(start > 0, 'README has the robot bullet in "Install next to Harbor"');
  const bullet = text.slice(start, text.indexOf('\n- ', start + 1));
  const listed = [...bullet.matchAll(/`([a-z-]+:[a-z]+)`/g)].map((m) => m[1]);
  assert.deepEqual(listed, ROBOT_PERMISSIONS.map(permissionName));
  assert.ok(listed.includes('notification-policy:list'), 'listing webhook policies needs notification-policy:list');
});

test('the stand-in gives its default service robot every permission the service checks', () => {
  const granted = new Set(SERVICE_ROBOT_ACCESS.map(permissionName));
  for (const p of ROBOT_PERMISSIONS) assert.ok(granted.has(permissionName(p)), permissionName(p));
});

test('a wrong robot secret: an error at start, health unhealthy, patches and previews refused with 503', async () => {
  const wrong = await adapterWith('robot$patcher', 'not-the-secret', true);
  const started = Date.now();
  while (!logLines.some((l) => /rejected the service robot's credentials/.test(l.msg)) && Date.now() - started < 5000)
    await new Promise((r) => setTimeout(r, 50));
  const line = logLines.find((l) => /rejected the service robot's credentials/.test(l.msg));
  assert.ok(line, `start log: ${JSON.stringify(logLines.map((l) => l.msg))}`);
  assert.equal(line.level, 50, 'logged as an error');
  assert.match(line.msg, /PATCHING_ROBOT_SECRET/);
  assert.ok(!JSON.stringify(logLines).includes('not-the-secret'));

  const open = await basic(wrong.url, 'alice').call('GET', `${API}/health`);
  assert.equal(open.body.status, 'unhealthy');
  assert.deepEqual(
    open.body.components.find((c: { name: string }) => c.name === 'robot'),
    { name: 'robot', status: 'unhealthy' },
  );
  const admin = await basic(wrong.url, 'admin').call('GET', `${API}/health`);
  const robot = admin.body.components.find((c: { name: string }) => c.name === 'robot');
  assert.match(robot.error, /Harbor rejected the service robot's credentials/);

  const patch = await basic(wrong.url, 'alice').call('POST', patchPath('library'), { body: {} });
  assert.equal(patch.status, 503, patch.text);
  assert.equal(patch.body.errors[0].code, 'ROBOT_REJECTED');
  assert.match(patch.body.errors[0].message, /PATCHING_ROBOT_NAME and PATCHING_ROBOT_SECRET/);

  const preview = await basic(wrong.url, 'alice').call('POST', `${API}/projects/library/policies/preview`, {
    body: { filters: [] },
  });
  assert.equal(preview.status, 503, preview.text);
  assert.equal(preview.body.errors[0].code, 'ROBOT_REJECTED');

  // A task that reaches the engine (a policy run, an event) ends HARBOR_AUTH, saying the same.
  const patchModule = wrong.services.patching!;
  const { task } = await patchModule.engine.patchArtifact({
    project: 'library',
    artifact: { repository: 'sample-app', tag: '1.0', digest: `sha256:${'1'.repeat(64)}` },
  });
  const done = await patchModule.engine.waitForTask(task.id, 30_000);
  assert.equal(done.status, 'Error');
  assert.equal(done.reason, 'HARBOR_AUTH');
  assert.match(done.status_message ?? '', /rejected the service robot's credentials/);
});

test('the right robot: health healthy, start logs no error', async () => {
  const res = await basic(core.adapter.url, 'admin').call('GET', `${API}/health`);
  const robot = res.body.components.find((c: { name: string }) => c.name === 'robot');
  assert.equal(robot.status, 'healthy', JSON.stringify(robot));
  assert.equal(robot.detail, 'robot$patcher');
});

test("a project outside the robot's permissions: patch and preview say to add the project to the robot (409)", async () => {
  const narrow = await adapterWith('robot$narrow', 'Narrow-Secret-1');
  const patch = await basic(narrow.url, 'admin').call('POST', patchPath(OTHER), { body: {} });
  assert.equal(patch.status, 409, patch.text);
  assert.equal(patch.body.errors[0].code, 'ROBOT_NO_ACCESS');
  assert.match(patch.body.errors[0].message, new RegExp(`no access to project "${OTHER}"`));
  assert.match(patch.body.errors[0].message, /repository:push/);

  // Before: 502 "Harbor answered 403 to GET /projects/robotless/repositories: forbidden".
  const preview = await basic(narrow.url, 'admin').call('POST', `${API}/projects/${OTHER}/policies/preview`, {
    body: { filters: [] },
  });
  assert.equal(preview.status, 409, preview.text);
  assert.equal(preview.body.errors[0].code, 'ROBOT_NO_ACCESS');
  assert.match(preview.body.errors[0].message, /add the project to the robot's permissions/);

  // The same robot patches where it has access: the check does not refuse that.
  const ok = await basic(narrow.url, 'alice').call(
    'POST',
    `${API}/projects/library/repositories/no-such-repo/artifacts/1.0/patch`,
    {
      body: {},
    },
  );
  assert.equal(ok.status, 404, ok.text);
});

test('a missing permission is named: 409 ROBOT_PERMISSION for a patch, the same reason for a task', async () => {
  const adapter = adapters.find((a) => a.config.robotName === 'robot$narrow')!;
  const patch = await basic(adapter.url, 'admin').call('POST', patchPath(PARTIAL), { body: {} });
  assert.equal(patch.status, 409, patch.text);
  assert.equal(patch.body.errors[0].code, 'ROBOT_PERMISSION');
  assert.match(patch.body.errors[0].message, /lacks scan:create in project "partial"/);

  const patchModule = adapter.services.patching!;
  const { task } = await patchModule.engine.patchArtifact({
    project: PARTIAL,
    artifact: { repository: 'app', tag: '1.0', digest: `sha256:${'2'.repeat(64)}` },
  });
  const done = await patchModule.engine.waitForTask(task.id, 30_000);
  assert.equal(done.reason, 'ROBOT_PERMISSION');
  assert.match(done.status_message ?? '', /scan:create/);
});

test('a refusal in the middle of a task is explained: which of the three problems it is', async () => {
  const robot = (name: string, secret: string) =>
    new ServiceRobot(new HarborClient(core.sim.url, { kind: 'basic', username: name, password: secret }), name, 10);
  const forbidden = new HarborError(403, 'FORBIDDEN', 'forbidden', 'POST', '/projects/x/scan');
  const narrow = robot('robot$narrow', 'Narrow-Secret-1');
  const partial = await narrow.explainRefusal(PARTIAL, forbidden, robotPermissions('patch'));
  assert.equal(partial?.problem, 'missing_permissions');
  assert.deepEqual(partial?.missing, ['scan:create']);
  assert.equal((await narrow.explainRefusal(OTHER, forbidden, robotPermissions('patch')))?.problem, 'no_access');
  assert.equal(await narrow.explainRefusal('library', forbidden, robotPermissions('patch')), undefined);
  const wrong = robot('robot$narrow', 'wrong');
  assert.equal((await wrong.explainRefusal('library', forbidden, robotPermissions('patch')))?.problem, 'rejected');

  // A registry refusal seen in copa's output becomes the robot's real problem.
  const registryRefused = fail('REGISTRY_AUTH', 'the registry refused the service robot (401 Unauthorized)');
  const explained = await explainRefusal(narrow, PARTIAL, registryRefused);
  assert.equal(explained.code, 'ROBOT_PERMISSION');
  assert.match(explained.message, /scan:create.*401 Unauthorized/s);
  assert.equal((await explainRefusal(narrow, 'library', registryRefused)).code, 'REGISTRY_AUTH');
});

test('webhook registration names the webhook permission the robot lacks (before: 502 "Harbor refused")', async () => {
  const adapter = adapters.find((a) => a.config.robotName === 'robot$narrow')!;
  for (const method of ['GET', 'POST']) {
    const res = await basic(adapter.url, 'admin').call(method, `${API}/projects/${NO_HOOKS}/webhook`);
    assert.equal(res.status, 409, `${method}: ${res.text}`);
    assert.equal(res.body.errors[0].code, 'ROBOT_PERMISSION');
    assert.match(res.body.errors[0].message, /lacks notification-policy:list in project "nohooks"/);
  }
});
