import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarborSim, type HarborSim } from '../src/index';
import { ensureRegistry } from '@harbor-patching/oci-testkit';
import { basic, json } from './helpers';

let sim: HarborSim;
const admin = basic('admin', 'Harbor12345');

before(async () => {
  sim = await startHarborSim({ registryUrl: await ensureRegistry(), seed: 'demo' });
});
after(() => sim.close());

const permissions = async (auth: string, projectId: number) => {
  const res = await fetch(`${sim.url}/api/v2.0/users/current/permissions?scope=/project/${projectId}&relative=true`, {
    headers: { authorization: auth },
  });
  assert.equal(res.status, 200);
  return new Set((await json<{ resource: string; action: string }[]>(res)).map((p) => `${p.resource}:${p.action}`));
};

describe('role matrix through /users/current/permissions', () => {
  const expectations: Record<string, Record<string, boolean>> = {
    //             pull  push  scan  tagdel artdel label robot hook  immut  addlbl retention
    alice: {
      'repository:pull': true,
      'repository:push': true,
      'scan:create': true,
      'tag:delete': true,
      'artifact:delete': true,
      'label:create': true,
      'robot:create': true,
      'notification-policy:create': true,
      'immutable-tag:list': true,
      'artifact-label:create': true,
      'tag-retention:read': true,
      'tag:create': true,
    },
    mona: {
      'repository:pull': true,
      'repository:push': true,
      'scan:create': true,
      'tag:delete': true,
      'artifact:delete': true,
      'label:create': true,
      'robot:create': false,
      'notification-policy:create': false,
      'immutable-tag:list': true,
      'artifact-label:create': true,
      'tag-retention:read': true,
      'tag:create': true,
    },
    dave: {
      'repository:pull': true,
      'repository:push': true,
      'scan:create': false,
      'tag:delete': false,
      'artifact:delete': false,
      'label:create': false,
      'robot:create': false,
      'notification-policy:create': false,
      'immutable-tag:list': false,
      'artifact-label:create': true,
      'tag-retention:read': true,
      'tag:create': true,
    },
    gina: {
      'repository:pull': true,
      'repository:push': false,
      'scan:create': false,
      'tag:delete': false,
      'artifact:delete': false,
      'label:create': false,
      'robot:create': false,
      'notification-policy:create': false,
      'immutable-tag:list': false,
      'artifact-label:create': false,
      'tag-retention:read': false,
      'tag:create': false,
      'scan:read': true,
      'artifact:read': true,
    },
    lena: {
      'repository:pull': true,
      'repository:push': false,
      'scan:create': false,
      'artifact:read': true,
      'artifact-addition:read': true,
      'scan:read': true,
      'label:list': false,
      'member:list': false,
      'tag:create': false,
    },
  };
  for (const [user, expected] of Object.entries(expectations)) {
    test(`${user} gets Harbor's permissions for the role`, async () => {
      const library = sim.state.findProject('library', true)!;
      const got = await permissions(basic(user, 'Harbor12345'), library.project_id);
      for (const [perm, allowed] of Object.entries(expected)) assert.equal(got.has(perm), allowed, `${user} ${perm}`);
    });
  }

  test('without relative=true resources are absolute; a non-member of a private project gets nothing', async () => {
    const library = sim.state.findProject('library', true)!;
    sim.addUser('outsider');
    const res = await fetch(`${sim.url}/api/v2.0/users/current/permissions?scope=/project/${library.project_id}`, {
      headers: { authorization: basic('alice', 'Harbor12345') },
    });
    const list = await json<{ resource: string; action: string }[]>(res);
    assert.ok(list.some((p) => p.resource === `/project/${library.project_id}/repository` && p.action === 'push'));
    assert.equal((await permissions(basic('outsider', 'Harbor12345'), library.project_id)).size, 0);
  });

  test('public projects grant pull and read to every user', async () => {
    const pub = sim.addProject('pub-perm', { public: true });
    const got = await permissions(basic('outsider', 'Harbor12345'), pub.project_id);
    assert.ok(got.has('repository:pull') && got.has('artifact:read') && got.has('scan:read'));
    assert.ok(!got.has('repository:push'));
  });

  test('the sysadmin gets everything; robots get their access list', async () => {
    const library = sim.state.findProject('library', true)!;
    const all = await permissions(admin, library.project_id);
    assert.ok(all.has('robot:create') && all.has('repository:push'));
    const robot = sim.addRobot({
      name: 'reader',
      secret: 'Secret12345',
      project: 'library',
      permissions: [{ kind: 'project', namespace: 'library', access: [{ resource: 'repository', action: 'pull' }] }],
    });
    assert.equal(robot.name, 'robot$library+reader');
    const got = await permissions(basic(robot.name, 'Secret12345'), library.project_id);
    assert.ok(got.has('repository:pull'));
    assert.ok(!got.has('repository:push'));
  });
});

describe('current user', () => {
  test('users/current answers users, 401 for anonymous and 412 for robots', async () => {
    const me = await fetch(`${sim.url}/api/v2.0/users/current`, { headers: { authorization: admin } });
    assert.equal(me.status, 200);
    const body = await json<{ username: string; sysadmin_flag: boolean }>(me);
    assert.equal(body.username, 'admin');
    assert.equal(body.sysadmin_flag, true);
    assert.equal((await fetch(`${sim.url}/api/v2.0/users/current`)).status, 401);
    assert.equal(
      (await fetch(`${sim.url}/api/v2.0/users/current`, { headers: { authorization: basic('admin', 'wrong') } }))
        .status,
      401,
    );
    sim.addRobot({ name: 'svc', secret: 'Svc12345', level: 'system' });
    const robot = await fetch(`${sim.url}/api/v2.0/users/current`, {
      headers: { authorization: basic('robot$svc', 'Svc12345') },
    });
    assert.equal(robot.status, 412);
    assert.equal((await json<{ errors: { code: string }[] }>(robot)).errors[0].code, 'PRECONDITION');
  });

  test('project lookups: by name with X-Is-Resource-Name, role ids for users, HEAD existence check', async () => {
    const res = await fetch(`${sim.url}/api/v2.0/projects/library`, {
      headers: { authorization: basic('dave', 'Harbor12345'), 'X-Is-Resource-Name': 'true' },
    });
    const project = await json<{
      name: string;
      current_user_role_ids: number[];
      metadata: { public: string; auto_scan: string };
    }>(res);
    assert.equal(project.name, 'library');
    assert.deepEqual(project.current_user_role_ids, [2]);
    assert.equal(project.metadata.public, 'false');
    assert.equal(project.metadata.auto_scan, 'true');
    assert.equal((await fetch(`${sim.url}/api/v2.0/projects/library`)).status, 401);
    sim.addUser('stranger');
    assert.equal(
      (
        await fetch(`${sim.url}/api/v2.0/projects/library`, {
          headers: { authorization: basic('stranger', 'Harbor12345') },
        })
      ).status,
      403,
    );
    assert.equal(
      (
        await fetch(`${sim.url}/api/v2.0/projects?project_name=library`, {
          method: 'HEAD',
          headers: { authorization: admin },
        })
      ).status,
      200,
    );
    assert.equal(
      (
        await fetch(`${sim.url}/api/v2.0/projects?project_name=nope`, {
          method: 'HEAD',
          headers: { authorization: admin },
        })
      ).status,
      404,
    );
  });
});

describe('sessions and CSRF', () => {
  const cookiesOf = (res: Response) =>
    res.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .filter((c) => !c.endsWith('='));

  async function login(user: string) {
    // A GET first, to obtain a CSRF token and its cookie, like the portal does.
    const first = await fetch(`${sim.url}/c/log_out`);
    const token = first.headers.get('x-harbor-csrf-token');
    assert.ok(token, 'a protected request carries X-Harbor-CSRF-Token');
    const csrfCookie = cookiesOf(first).find((c) => c.startsWith('_gorilla_csrf='))!;
    assert.ok(csrfCookie);
    const noToken = await fetch(`${sim.url}/c/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
      body: `principal=${user}&password=Harbor12345`,
    });
    assert.equal(noToken.status, 403, 'login without a CSRF token is refused');
    const res = await fetch(`${sim.url}/c/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: csrfCookie,
        'x-harbor-csrf-token': token,
      },
      body: `principal=${user}&password=Harbor12345`,
    });
    assert.equal(res.status, 200);
    const sid = cookiesOf(res).find((c) => c.startsWith('sid='))!;
    assert.ok(sid);
    return { cookie: `${sid}; ${csrfCookie}`, token: res.headers.get('x-harbor-csrf-token')! };
  }

  test('anonymous answers set sid and the CSRF cookie like Harbor: a /c/ GET, or a second API GET, brings the token', async () => {
    const names = (res: Response) => cookiesOf(res).map((c) => c.split('=')[0]);
    // Measured on Harbor: GET /c/login is a 404 with the token header and both cookies.
    const page = await fetch(`${sim.url}/c/login`);
    assert.equal(page.status, 404);
    assert.ok(page.headers.get('x-harbor-csrf-token'));
    assert.deepEqual(names(page).sort(), ['_gorilla_csrf', 'sid']);

    // /api/ is CSRF-checked (and hands out tokens) only for requests with a session cookie: the first
    // answer sets one, the second request carries it and gets the token.
    const first = await fetch(`${sim.url}/api/v2.0/systeminfo`);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-harbor-csrf-token'), null);
    assert.deepEqual(names(first), ['sid']);
    const sid = cookiesOf(first)[0];
    const second = await fetch(`${sim.url}/api/v2.0/systeminfo`, { headers: { cookie: sid } });
    const token = second.headers.get('x-harbor-csrf-token');
    assert.ok(token, 'the second GET carries the token');
    assert.deepEqual(names(second), ['_gorilla_csrf'], 'the session is kept');
    const cookie = `${sid}; ${cookiesOf(second)[0]}`;

    const login = await fetch(`${sim.url}/c/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, 'x-harbor-csrf-token': token },
      body: 'principal=alice&password=Harbor12345',
    });
    assert.equal(login.status, 200, 'the first login post succeeds');
    const signedIn = cookiesOf(login).filter((c) => c.startsWith('sid='));
    assert.equal(signedIn.length, 1, 'one sid per answer');
    assert.notEqual(signedIn[0], sid, 'a login answers with a new sid');
    const me = await fetch(`${sim.url}/api/v2.0/users/current`, { headers: { cookie: signedIn[0] } });
    assert.equal((await json<{ username: string }>(me)).username, 'alice');
    assert.equal((await fetch(`${sim.url}/api/v2.0/users/current`, { headers: { cookie: sid } })).status, 401);
  });

  test('wrong password gives 401', async () => {
    const first = await fetch(`${sim.url}/c/log_out`);
    const res = await fetch(`${sim.url}/c/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: cookiesOf(first).find((c) => c.startsWith('_gorilla_csrf='))!,
        'x-harbor-csrf-token': first.headers.get('x-harbor-csrf-token')!,
      },
      body: 'principal=alice&password=nope',
    });
    assert.equal(res.status, 401);
  });

  test('a session identifies the user on GET; unsafe methods with sid need the token', async () => {
    const { cookie, token } = await login('alice');
    const me = await fetch(`${sim.url}/api/v2.0/users/current`, { headers: { cookie } });
    assert.equal(me.status, 200);
    assert.equal((await json<{ username: string }>(me)).username, 'alice');
    assert.ok(me.headers.get('x-harbor-csrf-token'), 'a GET carrying sid is protected and re-issues the token');

    const body = JSON.stringify({
      name: 'from-session',
      scope: 'p',
      project_id: sim.state.findProject('library', true)!.project_id,
    });
    const without = await fetch(`${sim.url}/api/v2.0/labels`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body,
    });
    assert.equal(without.status, 403);
    assert.equal(
      (await json<{ errors: { code: string; message: string }[] }>(without)).errors[0].message,
      'CSRF token not found in request',
    );
    assert.ok(without.headers.get('x-harbor-csrf-token'), 'failures also carry a fresh token');

    const bad = await fetch(`${sim.url}/api/v2.0/labels`, {
      method: 'POST',
      headers: {
        cookie,
        'content-type': 'application/json',
        'x-harbor-csrf-token': Buffer.alloc(64, 1).toString('base64'),
      },
      body,
    });
    assert.equal(bad.status, 403);

    const ok = await fetch(`${sim.url}/api/v2.0/labels`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', 'x-harbor-csrf-token': token },
      body,
    });
    assert.equal(ok.status, 201);

    // Basic auth without a sid cookie skips the CSRF check on /api/.
    const basicPost = await fetch(`${sim.url}/api/v2.0/labels`, {
      method: 'POST',
      headers: { authorization: admin, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'global-one', scope: 'g' }),
    });
    assert.equal(basicPost.status, 201);
    assert.equal(basicPost.headers.get('x-harbor-csrf-token'), null, 'skipped requests carry no token');

    const out = await fetch(`${sim.url}/c/log_out`, { headers: { cookie } });
    assert.equal(out.status, 200);
    assert.equal((await fetch(`${sim.url}/api/v2.0/users/current`, { headers: { cookie } })).status, 401);
  });
});
