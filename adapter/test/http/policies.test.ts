/** The patch policies API end to end: create, read, list with paging, update, enable/disable, delete, restart. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { API, basic, startCore, type Caller, type Core } from '../harness';

let core: Core;
let admin: Caller;
let alice: Caller;
const base = `${API}/projects/library/policies`;

before(async () => {
  core = await startCore();
  admin = basic(core.adapter.url, 'admin');
  alice = basic(core.adapter.url, 'alice');
});
after(async () => {
  await core?.close();
});

test('create returns the policy with defaults, audit fields and a Location', async () => {
  const res = await alice.call('POST', base, {
    body: {
      name: 'nightly',
      description: 'every night',
      filters: [{ type: 'repository', value: 'library/**' }],
      trigger: { type: 'scheduled', cron: '0 0 2 * * *' },
      severity_threshold: 'High',
    },
  });
  assert.equal(res.status, 201, res.text);
  const p = res.body;
  assert.equal(res.headers.get('location'), `${base}/${p.id}`);
  assert.equal(p.project_name, 'library');
  assert.equal(typeof p.project_id, 'number');
  assert.equal(p.creator, 'alice');
  assert.equal(p.updated_by, 'alice');
  assert.equal(p.enabled, true);
  assert.equal(p.mode, 'targeted');
  assert.equal(p.tag_scheme, 'floating');
  assert.equal(p.tag_suffix, 'patched');
  assert.deepEqual(p.options, { rescan: true, copy_labels: true, delete_original: false });
  assert.deepEqual(p.filters, [{ type: 'repository', value: 'library/**', decoration: 'matches', syntax: 'glob' }]);
  assert.ok(!Number.isNaN(Date.parse(p.creation_time)));
  assert.equal(p.creation_time, p.update_time);
  assert.match(p.next_run_time, /T02:00:00\.000Z$/);
  const got = await admin.call('GET', `${base}/${p.id}`);
  assert.equal(got.status, 200);
  assert.equal(got.body.name, 'nightly');
});

test('names are unique per project: 409 naming the field', async () => {
  const res = await alice.call('POST', base, { body: { name: 'nightly' } });
  assert.equal(res.status, 409);
  assert.equal(res.body.errors[0].code, 'CONFLICT');
  assert.equal(res.body.errors[0].field, 'name');
  // The same name in another project is fine.
  core.sim.addProject('other', { owner: 'admin' });
  assert.equal((await admin.call('POST', `${API}/projects/other/policies`, { body: { name: 'nightly' } })).status, 201);
});

test('update replaces the settings and records who changed it', async () => {
  const created = (await alice.call('POST', base, { body: { name: 'to-update', mode: 'comprehensive' } })).body;
  await new Promise((r) => setTimeout(r, 5));
  const res = await admin.call('PUT', `${base}/${created.id}`, {
    body: { name: 'updated', trigger: { type: 'event_based' }, tag_scheme: 'incremental' },
  });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.name, 'updated');
  assert.equal(res.body.mode, 'targeted', 'fields left out take their defaults');
  assert.equal(res.body.tag_scheme, 'incremental');
  assert.deepEqual(res.body.trigger, { type: 'event_based' });
  assert.equal(res.body.creator, 'alice');
  assert.equal(res.body.updated_by, 'admin');
  assert.ok(res.body.update_time > res.body.creation_time);
  const clash = await admin.call('PUT', `${base}/${created.id}`, { body: { name: 'nightly' } });
  assert.equal(clash.status, 409);
  assert.equal((await admin.call('PUT', `${base}/999999`, { body: { name: 'ghost' } })).status, 404);
});

test('enable and disable', async () => {
  const p = (
    await alice.call('POST', base, { body: { name: 'toggle', trigger: { type: 'scheduled', cron: '0 0 * * * *' } } })
  ).body;
  const off = await alice.call('POST', `${base}/${p.id}/disable`);
  assert.equal(off.status, 200);
  assert.equal(off.body.enabled, false);
  assert.equal(off.body.next_run_time, null, 'a disabled schedule has no next run');
  const on = await alice.call('POST', `${base}/${p.id}/enable`);
  assert.equal(on.body.enabled, true);
  assert.ok(on.body.next_run_time);
  const viaPut = await alice.call('PUT', `${base}/${p.id}`, { body: { name: 'toggle', enabled: false } });
  assert.equal(viaPut.body.enabled, false);
});

test('delete removes the policy; a policy of another project is not reachable', async () => {
  const p = (await alice.call('POST', base, { body: { name: 'short-lived' } })).body;
  assert.equal((await admin.call('GET', `${API}/projects/other/policies/${p.id}`)).status, 404);
  assert.equal((await admin.call('DELETE', `${API}/projects/other/policies/${p.id}`)).status, 404);
  assert.equal((await alice.call('DELETE', `${base}/${p.id}`)).status, 200);
  assert.equal((await alice.call('GET', `${base}/${p.id}`)).status, 404);
  assert.equal((await alice.call('DELETE', `${base}/${p.id}`)).status, 404);
});

test('list pages like Harbor: page, page_size, X-Total-Count, Link, name filter, sort', async () => {
  core.sim.addProject('paged', { owner: 'admin' });
  const paged = `${API}/projects/paged/policies`;
  for (let i = 1; i <= 12; i++) {
    const res = await admin.call('POST', paged, { body: { name: `policy-${String(i).padStart(2, '0')}` } });
    assert.equal(res.status, 201);
  }
  await admin.call('POST', paged, { body: { name: 'zeta' } });
  const first = await admin.call('GET', `${paged}?page=1&page_size=5&sort=name`);
  assert.equal(first.status, 200);
  assert.equal(first.headers.get('x-total-count'), '13');
  assert.deepEqual(
    first.body.map((p: { name: string }) => p.name),
    ['policy-01', 'policy-02', 'policy-03', 'policy-04', 'policy-05'],
  );
  assert.equal(first.headers.get('link'), `<${paged}?page=2&page_size=5&sort=name>; rel="next"`);
  const second = await admin.call('GET', `${paged}?page=2&page_size=5&sort=name`);
  assert.equal(
    second.headers.get('link'),
    `<${paged}?page=1&page_size=5&sort=name>; rel="prev" , <${paged}?page=3&page_size=5&sort=name>; rel="next"`,
  );
  const last = await admin.call('GET', `${paged}?page=3&page_size=5&sort=name`);
  assert.deepEqual(
    last.body.map((p: { name: string }) => p.name),
    ['policy-11', 'policy-12', 'zeta'],
  );
  const desc = await admin.call('GET', `${paged}?sort=-name&page_size=2`);
  assert.deepEqual(
    desc.body.map((p: { name: string }) => p.name),
    ['zeta', 'policy-12'],
  );
  const fuzzy = await admin.call('GET', `${paged}?name=cy-1`);
  assert.equal(fuzzy.headers.get('x-total-count'), '3');
  const none = await admin.call('GET', `${paged}?name=${encodeURIComponent('%')}`);
  assert.equal(none.headers.get('x-total-count'), '0', 'LIKE wildcards in the filter are taken literally');
  const dflt = await admin.call('GET', paged);
  assert.equal(dflt.body.length, 10, 'default page size is 10');
  assert.equal(dflt.body[0].name, 'zeta', 'default order is newest first');
});

test('policies survive a restart (same data folder, new app instance)', async () => {
  const before = await admin.call('GET', `${base}?page_size=100`);
  assert.ok(before.body.length > 0);
  await core.adapter.close();
  const again = await core.restart();
  const after = await basic(again.url, 'admin').call('GET', `${base}?page_size=100`);
  assert.equal(after.status, 200);
  assert.deepEqual(after.body, before.body);
  const created = await basic(again.url, 'alice').call('POST', base, { body: { name: 'after-restart' } });
  assert.equal(created.status, 201);
  assert.ok(created.body.id > Math.max(...before.body.map((p: { id: number }) => p.id)), 'ids are never reused');
});
