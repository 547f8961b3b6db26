/**
 * The README's access table is what the service does: every row (a kind of caller) and every column (a
 * kind of request) is read from README.md and tried against the adapter over the Harbor stand-in, whose
 * roles and robot permissions follow Harbor's. A row or column the test does not know fails, so the
 * table cannot drift from the code.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { pushArtifact, setScanResult } from '../policies/fixtures';
import { API, PASSWORD, request, startCore, type CallResult, type Core } from '../harness';

const README = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');

/** The first table after the "### Access rules" heading: header cells and rows of cells. */
function accessTable(): { columns: string[]; rows: Map<string, string[]> } {
  const lines = README.slice(README.indexOf('### Access rules')).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const table: string[][] = [];
  for (const line of lines.slice(first)) {
    if (!line.startsWith('|')) break;
    table.push(
      line
        .slice(1, -1)
        .split('|')
        .map((c) => c.trim()),
    );
  }
  const [header, , ...body] = table;
  return { columns: header.slice(1), rows: new Map(body.map((cells) => [cells[0], cells.slice(1)])) };
}

const PRIVATE = 'library';
const PUBLIC = 'open-access';
const REPO = 'access-probe';

interface Who {
  authorization?: string;
  project: string;
}

const basicAuth = (user: string, password = PASSWORD) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const ROBOT_SECRET = 'Access-Table-Robot-1';
const robots: Record<string, { resource: string; action: string }[]> = {
  'pull-only': [{ resource: 'repository', action: 'pull' }],
  pusher: [
    { resource: 'repository', action: 'pull' },
    { resource: 'repository', action: 'push' },
  ],
  manager: [
    { resource: 'repository', action: 'pull' },
    { resource: 'notification-policy', action: 'create' },
  ],
};

/** Every caller row of the README table, as this test makes it. */
const CALLERS: Record<string, Who> = {
  'Anonymous (no credentials), also on a public project': { project: PUBLIC },
  'Signed-in user, not a member, public project': { authorization: basicAuth('nina'), project: PUBLIC },
  'Signed-in user, not a member, private project': { authorization: basicAuth('nina'), project: PRIVATE },
  'Limited guest': { authorization: basicAuth('lena'), project: PRIVATE },
  Guest: { authorization: basicAuth('gina'), project: PRIVATE },
  Developer: { authorization: basicAuth('dave'), project: PRIVATE },
  Maintainer: { authorization: basicAuth('mona'), project: PRIVATE },
  'Project admin': { authorization: basicAuth('alice'), project: PRIVATE },
  'System admin': { authorization: basicAuth('admin'), project: PRIVATE },
  'Robot with only `repository:pull`': {
    authorization: basicAuth(`robot$${PRIVATE}+pull-only`, ROBOT_SECRET),
    project: PRIVATE,
  },
  'Robot with `repository:pull` and `repository:push`': {
    authorization: basicAuth(`robot$${PRIVATE}+pusher`, ROBOT_SECRET),
    project: PRIVATE,
  },
  'Robot with `repository:pull` and `notification-policy:create`': {
    authorization: basicAuth(`robot$${PRIVATE}+manager`, ROBOT_SECRET),
    project: PRIVATE,
  },
};

let core: Core;
/** An ad-hoc execution per project, made by the system admin, for the "stop that patch" probe. */
const adhoc: Record<string, number> = {};

const call = (who: Who, method: string, path: string, body?: unknown): Promise<CallResult> =>
  request(core.adapter.url, method, path, body === undefined ? {} : { body }, {
    ...(who.authorization ? { authorization: who.authorization } : {}),
  });

/** What a cell says for a set of answers: `yes` when every one succeeded, else the one status they share. */
function outcome(results: CallResult[], ok: (r: CallResult) => boolean): string {
  if (results.every(ok)) return 'yes';
  const statuses = [...new Set(results.map((r) => r.status))];
  return statuses.length === 1
    ? String(statuses[0])
    : `mixed: ${results.map((r) => `${r.status} ${r.text.slice(0, 80)}`).join(' | ')}`;
}

/** Every column of the README table: the requests that stand for it, and what the cell says about them. */
const PROBES: Record<string, (who: Who) => Promise<string>> = {
  'Read policies, executions, tasks, logs': async (who) => {
    const p = `${API}/projects/${who.project}`;
    const results = [
      await call(who, 'GET', `${p}/policies`),
      await call(who, 'GET', `${p}/executions`),
      await call(who, 'GET', `${p}/executions/${adhoc[who.project]}/tasks`),
    ];
    return outcome(results, (r) => r.status === 200);
  },
  'Patch one image, stop that patch': async (who) => {
    const p = `${API}/projects/${who.project}`;
    const patched = await call(who, 'POST', `${p}/repositories/${REPO}/artifacts/1.0/patch`);
    const stopped = await call(who, 'POST', `${p}/executions/${adhoc[who.project]}/stop`);
    return outcome([patched, stopped], (r) => (r === patched ? r.status === 202 : r.status === 200));
  },
  'Manage policies, runs, webhook': async (who) => {
    const p = `${API}/projects/${who.project}`;
    const results = [await call(who, 'POST', `${p}/policies/preview`, {}), await call(who, 'GET', `${p}/webhook`)];
    return outcome(results, (r) => r.status === 200);
  },
  'Health details': async (who) => {
    const res = await call(who, 'GET', `${API}/health`);
    assert.equal(res.status, 200);
    const components = res.body.components as { detail?: string; error?: string }[];
    return components.some((c) => c.detail !== undefined || c.error !== undefined) ? 'yes' : 'no';
  },
};

before(async () => {
  core = await startCore();
  const { sim } = core;
  sim.addProject(PUBLIC, { public: true });
  sim.addUser('nina');
  for (const [name, access] of Object.entries(robots)) {
    sim.addRobot({
      name,
      secret: ROBOT_SECRET,
      level: 'project',
      project: PRIVATE,
      permissions: [{ kind: 'project', namespace: PRIVATE, access }],
    });
  }
  const admin: Who = { authorization: basicAuth('admin'), project: PRIVATE };
  for (const project of [PRIVATE, PUBLIC]) {
    // A scanned image with nothing fixable: a patch of it ends Skipped at once, without copa.
    setScanResult(sim, await pushArtifact(`${project}/${REPO}`, ['1.0']), []);
    const res = await call(
      { ...admin, project },
      'POST',
      `${API}/projects/${project}/repositories/${REPO}/artifacts/1.0/patch`,
    );
    assert.equal(res.status, 202, res.text);
    adhoc[project] = res.body.id;
  }
});

after(async () => {
  await core?.close();
});

test('the README access table names exactly the callers and requests this test tries', () => {
  const { columns, rows } = accessTable();
  assert.deepEqual(columns, Object.keys(PROBES));
  assert.deepEqual([...rows.keys()], Object.keys(CALLERS));
  for (const [caller, cells] of rows) assert.equal(cells.length, columns.length, caller);
});

test('every cell of the README access table is what the service answers', async () => {
  const { columns, rows } = accessTable();
  const wrong: string[] = [];
  for (const [caller, cells] of rows) {
    const who = CALLERS[caller];
    assert.ok(who, `README row "${caller}" has no caller in this test`);
    for (const [i, column] of columns.entries()) {
      const probe = PROBES[column];
      assert.ok(probe, `README column "${column}" has no probe in this test`);
      const got = await probe(who);
      if (got !== cells[i]) wrong.push(`${caller} / ${column}: README says ${cells[i]}, the service answers ${got}`);
    }
  }
  assert.deepEqual(wrong, []);
});
