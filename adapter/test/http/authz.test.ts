/**
 * The authorization matrix: every caller kind x every policy endpoint, on a private project, with
 * the status Harbor's roles must produce. Reads: any member. Writes: project admin or system admin.
 * Non-members get 404 (the project is not visible to them), callers without credentials 401.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { anonymous, API, basic, Session, startCore, type Caller, type Core } from '../harness';
import type { ExecutionTrigger } from '../../src/model/execution';

const PROJECT = 'team';
const ROLES = { projectAdmin: 1, developer: 2, guest: 3, maintainer: 4, limitedGuest: 5 } as const;

type Who =
  | 'sysadmin'
  | 'projectAdmin'
  | 'maintainer'
  | 'developer'
  | 'guest'
  | 'limitedGuest'
  | 'robotPull'
  | 'robotAdmin'
  | 'outsider'
  | 'anonymous'
  | 'badPassword';

type Endpoint = 'list' | 'get' | 'create' | 'update' | 'delete' | 'enable' | 'disable';

const READ: Record<Who, number> = {
  sysadmin: 200,
  projectAdmin: 200,
  maintainer: 200,
  developer: 200,
  guest: 200,
  limitedGuest: 200,
  robotPull: 200,
  robotAdmin: 200,
  outsider: 404,
  anonymous: 401,
  badPassword: 401,
};
const WRITE = (ok: number): Record<Who, number> => ({
  sysadmin: ok,
  projectAdmin: ok,
  maintainer: 403,
  developer: 403,
  guest: 403,
  limitedGuest: 403,
  robotPull: 403,
  robotAdmin: ok,
  outsider: 404,
  anonymous: 401,
  badPassword: 401,
});
const EXPECTED: Record<Endpoint, Record<Who, number>> = {
  list: READ,
  get: READ,
  create: WRITE(201),
  update: WRITE(200),
  delete: WRITE(200),
  enable: WRITE(200),
  disable: WRITE(200),
};

let core: Core;
let callers: Record<Who, Caller>;
let admin: Caller;
let counter = 0;

async function newPolicy(): Promise<number> {
  const res = await admin.call('POST', `${API}/projects/${PROJECT}/policies`, { body: { name: `p${++counter}` } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

async function callEndpoint(who: Caller, endpoint: Endpoint): Promise<number> {
  const base = `${API}/projects/${PROJECT}/policies`;
  switch (endpoint) {
    case 'list':
      return (await who.call('GET', base)).status;
    case 'create':
      return (await who.call('POST', base, { body: { name: `c${++counter}` } })).status;
    case 'get':
      return (await who.call('GET', `${base}/${await newPolicy()}`)).status;
    case 'update':
      return (
        await who.call('PUT', `${base}/${await newPolicy()}`, {
          body: { name: `u${++counter}`, mode: 'comprehensive' },
        })
      ).status;
    case 'delete':
      return (await who.call('DELETE', `${base}/${await newPolicy()}`)).status;
    case 'enable':
    case 'disable':
      return (await who.call('POST', `${base}/${await newPolicy()}/${endpoint}`)).status;
  }
}

before(async () => {
  core = await startCore();
  const { sim, adapter } = core;
  sim.addProject(PROJECT, { public: false, owner: 'admin' });
  for (const [role, id] of Object.entries(ROLES)) {
    sim.addUser(`t-${role.toLowerCase()}`);
    sim.addMember(PROJECT, `t-${role.toLowerCase()}`, id as 1 | 2 | 3 | 4 | 5);
  }
  sim.addUser('outsider');
  const pull = sim.addRobot({
    name: 'puller',
    secret: 'Puller-Secret-1',
    level: 'project',
    project: PROJECT,
    permissions: [{ kind: 'project', namespace: PROJECT, access: [{ resource: 'repository', action: 'pull' }] }],
  });
  const boss = sim.addRobot({
    name: 'automation',
    secret: 'Automation-Secret-1',
    level: 'project',
    project: PROJECT,
    permissions: [
      {
        kind: 'project',
        namespace: PROJECT,
        access: [
          { resource: 'repository', action: 'pull' },
          { resource: 'notification-policy', action: 'create' },
        ],
      },
    ],
  });
  const url = adapter.url;
  admin = basic(url, 'admin');
  callers = {
    sysadmin: admin,
    projectAdmin: basic(url, 't-projectadmin'),
    maintainer: basic(url, 't-maintainer'),
    developer: basic(url, 't-developer'),
    guest: basic(url, 't-guest'),
    limitedGuest: basic(url, 't-limitedguest'),
    robotPull: basic(url, pull.name, 'Puller-Secret-1'),
    robotAdmin: basic(url, boss.name, 'Automation-Secret-1'),
    outsider: basic(url, 'outsider'),
    anonymous: anonymous(url),
    badPassword: basic(url, 't-projectadmin', 'wrong-password'),
  };
});

after(async () => {
  await core?.close();
});

describe('authorization matrix (Basic auth)', () => {
  for (const endpoint of Object.keys(EXPECTED) as Endpoint[]) {
    for (const [who, expected] of Object.entries(EXPECTED[endpoint]) as [Who, number][]) {
      test(`${endpoint} as ${who} -> ${expected}`, async () => {
        assert.equal(await callEndpoint(callers[who], endpoint), expected);
      });
    }
  }
});

describe('authorization with a portal session', () => {
  const sessionExpect: [string, Endpoint, number][] = [
    ['t-projectadmin', 'create', 201],
    ['t-projectadmin', 'delete', 200],
    ['t-maintainer', 'list', 200],
    ['t-maintainer', 'create', 403],
    ['t-guest', 'get', 200],
    ['outsider', 'list', 404],
    ['admin', 'update', 200],
  ];
  for (const [user, endpoint, expected] of sessionExpect) {
    test(`${endpoint} as ${user} (session) -> ${expected}`, async () => {
      const s = new Session(core.adapter.url);
      await s.login(user);
      assert.equal(await callEndpoint(s, endpoint), expected);
    });
  }
});

test('public project: any signed-in user reads, only its admins write', async () => {
  core.sim.addProject('open', { public: true, owner: 'admin' });
  core.sim.addMember('open', 't-developer', 1);
  const outsider = basic(core.adapter.url, 'outsider');
  assert.equal((await outsider.call('GET', `${API}/projects/open/policies`)).status, 200);
  assert.equal((await outsider.call('POST', `${API}/projects/open/policies`, { body: { name: 'nope' } })).status, 403);
  assert.equal((await anonymous(core.adapter.url).call('GET', `${API}/projects/open/policies`)).status, 401);
  const owner = basic(core.adapter.url, 't-developer');
  assert.equal(
    (await owner.call('POST', `${API}/projects/open/policies`, { body: { name: 'open-policy' } })).status,
    201,
  );
  // The private demo project stays invisible to non-members.
  assert.equal((await outsider.call('GET', `${API}/projects/library/policies`)).status, 404);
});

test('a project that does not exist is 404 for everyone signed in', async () => {
  for (const who of ['sysadmin', 'projectAdmin', 'outsider'] as Who[]) {
    const res = await callers[who].call('GET', `${API}/projects/no-such-project/policies`);
    assert.equal(res.status, 404, who);
    assert.equal(res.body.errors[0].code, 'NOT_FOUND');
  }
});

test('error bodies follow Harbor and never echo credentials', async () => {
  const res = await callers.badPassword.call('GET', `${API}/projects/${PROJECT}/policies`);
  assert.equal(res.status, 401);
  assert.equal(res.body.errors[0].code, 'UNAUTHORIZED');
  assert.ok(!res.text.includes('wrong-password'));
  const denied = await callers.developer.call('POST', `${API}/projects/${PROJECT}/policies`, {
    body: { name: 'dev-policy' },
  });
  assert.equal(denied.status, 403);
  assert.match(denied.body.errors[0].message, /project admin/);
});

test('identity and permissions are cached briefly per credential', async () => {
  const dev = callers.developer;
  await dev.call('GET', `${API}/projects/${PROJECT}/policies`);
  core.sim.resetRequestCount();
  for (let i = 0; i < 5; i++) assert.equal((await dev.call('GET', `${API}/projects/${PROJECT}/policies`)).status, 200);
  assert.equal(core.sim.requestCount(), 0, 'repeated reads within the cache time do not ask Harbor again');
});

test('a robot is recorded by its login name (Harbor answers 412 to /users/current for robots)', async () => {
  const res = await callers.robotAdmin.call('POST', `${API}/projects/${PROJECT}/policies`, {
    body: { name: 'by-robot' },
  });
  assert.equal(res.status, 201);
  assert.match(res.body.creator, /^robot\$.*automation$/);
});

describe('stopping executions and tasks: what starting them needed', () => {
  const engine = () => core.adapter.services.patching!.engine;
  /** An execution with one task that is never queued (it stays Pending until stopped). */
  const newRun = async (trigger: ExecutionTrigger) => {
    const e = await engine().createExecution({ project: PROJECT, trigger });
    const t = await engine().addTask(
      e.id,
      { repository: 'app', tag: '1.0', digest: `sha256:${'0'.repeat(64)}` },
      { enqueue: false },
    );
    return { executionId: e.id, taskId: t.id };
  };
  const stop = async (who: Who, path: string) =>
    (await callers[who].call('POST', `${API}/projects/${PROJECT}${path}`)).status;

  const POLICY_RUN: Partial<Record<Who, number>> = {
    sysadmin: 200,
    projectAdmin: 200,
    robotAdmin: 200,
    maintainer: 403,
    developer: 403,
    guest: 403,
    outsider: 404,
    anonymous: 401,
  };
  const ADHOC: Partial<Record<Who, number>> = {
    projectAdmin: 200,
    maintainer: 200,
    developer: 200,
    guest: 403,
    limitedGuest: 403,
    robotPull: 403,
    outsider: 404,
  };
  const cases: [ExecutionTrigger, Partial<Record<Who, number>>][] = [
    ['MANUAL', POLICY_RUN],
    ['SCHEDULE', POLICY_RUN],
    ['EVENT', POLICY_RUN],
    ['JOBSERVICE', POLICY_RUN],
    ['ADHOC', ADHOC],
  ];
  for (const [trigger, expected] of cases) {
    for (const [who, status] of Object.entries(expected) as [Who, number][]) {
      test(`${trigger}: stop execution and stop task as ${who} -> ${status}`, async () => {
        const run = await newRun(trigger);
        assert.equal(await stop(who, `/executions/${run.executionId}/tasks/${run.taskId}/stop`), status, 'task stop');
        assert.equal(await stop(who, `/executions/${run.executionId}/stop`), status, 'execution stop');
        const after = (await engine().store.getTask(run.taskId))!.status;
        assert.equal(after, status === 200 ? 'Stopped' : 'Pending', 'a refused stop leaves the task alone');
        if (status !== 200) await engine().stopExecution(run.executionId);
      });
    }
  }

  test('the refusal says who may stop a policy run', async () => {
    const run = await newRun('MANUAL');
    const res = await callers.developer.call('POST', `${API}/projects/${PROJECT}/executions/${run.executionId}/stop`);
    assert.equal(res.status, 403);
    assert.match(
      res.body.errors[0].message,
      new RegExp(`execution ${run.executionId} is a policy run \\(MANUAL\\); only a project admin`),
    );
    await engine().stopExecution(run.executionId);
  });
});
