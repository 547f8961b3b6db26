/**
 * Cookie sessions: our CSRF defence on unsafe calls, and Harbor's paths (/c/login, /api/v2.0 with
 * its CSRF token, Set-Cookie) passing through the adapter's proxy untouched.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { API, basic, request, Session, startCore, type Core } from '../harness';

let core: Core;
let session: Session;
const base = `${API}/projects/library/policies`;

before(async () => {
  core = await startCore();
  session = new Session(core.adapter.url);
});
after(async () => {
  await core?.close();
});

test('login through the proxy: /c/login sets the sid session cookie, and the session works on our API', async () => {
  const res = await session.login('alice');
  assert.equal(res.status, 200);
  assert.ok(session.cookies.get('sid'), 'Set-Cookie sid came back through the proxy');
  assert.ok(session.cookies.get('_gorilla_csrf'), 'the CSRF cookie came back too');
  const list = await session.call('GET', base);
  assert.equal(list.status, 200);
  const me = await session.call('GET', '/api/v2.0/users/current');
  assert.equal(me.status, 200);
  assert.equal(me.body.username, 'alice');
});

test("a wrong password at /c/login is Harbor's 401, passed through", async () => {
  const s = new Session(core.adapter.url);
  await s.call('GET', '/c/log_out');
  const res = await request(
    core.adapter.url,
    'POST',
    '/c/login',
    { raw: 'principal=alice&password=nope', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    { cookie: s.cookieHeader(), 'x-harbor-csrf-token': s.csrfToken },
  );
  assert.equal(res.status, 401);
});

test('a cross-site cookie POST is refused with 403 and nothing is created', async () => {
  const before = (await session.call('GET', base)).headers.get('x-total-count');
  // What a form on another site can send: the cookie, no custom header.
  const forged = await session.call('POST', base, {
    body: { name: 'forged' },
    csrf: false,
    headers: { origin: 'https://evil.example' },
  });
  assert.equal(forged.status, 403);
  assert.equal(forged.body.errors[0].code, 'FORBIDDEN');
  assert.match(forged.body.errors[0].message, /CSRF/);
  // Even with a token, a foreign Origin or Referer is refused.
  const foreignOrigin = await session.call('POST', base, {
    body: { name: 'forged' },
    headers: { origin: 'https://evil.example' },
  });
  assert.equal(foreignOrigin.status, 403);
  const foreignReferer = await session.call('POST', base, {
    body: { name: 'forged' },
    headers: { referer: 'https://evil.example/page' },
  });
  assert.equal(foreignReferer.status, 403);
  for (const method of ['PUT', 'DELETE']) {
    const res = await session.call(method, `${base}/1`, {
      body: method === 'PUT' ? { name: 'forged' } : undefined,
      csrf: false,
    });
    assert.equal(res.status, 403, method);
  }
  assert.equal((await session.call('GET', base)).headers.get('x-total-count'), before);
});

test('a cookie POST with an Authorization header that is no credential is still CSRF-checked', async () => {
  const before = (await session.call('GET', base)).headers.get('x-total-count');
  for (const authorization of ['Foo bar', 'Basic', 'Basic ', 'Harbor-Secret x']) {
    const forged = await session.call('POST', base, {
      body: { name: 'forged-with-header' },
      csrf: false,
      headers: { authorization, origin: 'https://evil.example' },
    });
    assert.equal(forged.status, 403, `Authorization: "${authorization}": ${forged.text}`);
    assert.match(forged.body.errors[0].message, /CSRF/);
  }
  assert.equal((await session.call('GET', base)).headers.get('x-total-count'), before, 'nothing was created');
});

test('the same POST with the CSRF token (and a same-origin Origin) is accepted', async () => {
  const res = await session.call('POST', base, {
    body: { name: 'from-portal' },
    headers: { origin: core.adapter.url },
  });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.creator, 'alice');
  const noOrigin = await session.call('POST', base, { body: { name: 'from-portal-2' } });
  assert.equal(noOrigin.status, 201, 'without Origin/Referer the token alone suffices');
});

test('Basic auth requests are not CSRF-checked', async () => {
  const res = await basic(core.adapter.url, 'alice').call('POST', base, {
    body: { name: 'from-cli' },
    headers: { origin: 'https://elsewhere.example' },
  });
  assert.equal(res.status, 201);
});

test('a CSRF-protected Harbor call passes through with the token, and Harbor refuses it without', async () => {
  const admin = new Session(core.adapter.url);
  await admin.login('admin');
  const withoutToken = await admin.call('POST', '/api/v2.0/labels', {
    body: { name: 'no-token', scope: 'g' },
    csrf: false,
  });
  assert.equal(withoutToken.status, 403, 'Harbor (behind the proxy) refuses a session POST without its token');
  const withToken = await admin.call('POST', '/api/v2.0/labels', { body: { name: 'via-proxy', scope: 'g' } });
  assert.equal(withToken.status, 201, withToken.text);
  assert.match(withToken.headers.get('location') ?? '', /^\/api\/v2\.0\/labels\/\d+$/);
  const labels = await admin.call('GET', '/api/v2.0/labels?scope=g');
  assert.ok(labels.body.some((l: { name: string }) => l.name === 'via-proxy'));
});

test('logout through the proxy ends the session for our API too', async () => {
  const s = new Session(core.adapter.url);
  await s.login('gina');
  assert.equal((await s.call('GET', base)).status, 200);
  await s.call('GET', '/c/log_out');
  // The adapter caches identity briefly; Harbor's own answer is immediate.
  assert.equal((await s.call('GET', '/api/v2.0/users/current')).status, 401);
});

test('the proxy answers 502 in our body when Harbor is down', async () => {
  const { startAdapter } = await import('../../src/app');
  const dataDir = mkdtempSync(join(tmpdir(), 'hp-core-lonely-'));
  const lonely = await startAdapter({ port: 0, harborUrl: 'http://127.0.0.1:9', dataDir, logLevel: 'silent' });
  try {
    const res = await request(lonely.url, 'GET', '/api/v2.0/ping');
    assert.equal(res.status, 502);
    assert.equal(res.body.errors[0].code, 'BAD_GATEWAY');
    const api = await basic(lonely.url, 'admin').call('GET', base);
    assert.equal(api.status, 502);
    assert.match(api.body.errors[0].message, /could not be reached/);
  } finally {
    await lonely.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
