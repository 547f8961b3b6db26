/** The pure parts of auth: reading credentials, the CSRF rule, webhook credentials, validator paths as field names. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Request } from 'express';
import { credentialsOf } from '../../src/auth/credentials';
import { csrfProblem } from '../../src/http/csrf';
import { fieldFromPath } from '../../src/http/errors';
import { checkWebhookCredential, projectWebhookCredential, webhookAuthHeader } from '../../src/webhooks/credential';

function req(method: string, headers: Record<string, string>): Request {
  return {
    method,
    headers,
    protocol: 'http',
    get: (name: string) => headers[name.toLowerCase()],
  } as unknown as Request;
}

test('credentials: Basic wins over the cookie; hashes never contain the secret', () => {
  const basic = credentialsOf(
    req('GET', { authorization: `Basic ${Buffer.from('robot$p+x:s3cr3t').toString('base64')}`, cookie: 'sid=abc' }),
  );
  assert.equal(basic?.kind, 'basic');
  assert.equal(basic?.basicUsername, 'robot$p+x');
  assert.match(basic!.hash, /^[0-9a-f]{64}$/);
  const cookie = credentialsOf(req('GET', { cookie: '_gorilla_csrf=t; sid=abc123; x=y' }));
  assert.equal(cookie?.kind, 'cookie');
  assert.deepEqual(cookie?.auth, { kind: 'forward', cookie: 'sid=abc123' }, 'only the session cookie is forwarded');
  assert.ok(!cookie!.hash.includes('abc123'));
  assert.notEqual(credentialsOf(req('GET', { cookie: 'sid=other' }))!.hash, cookie!.hash);
  assert.equal(credentialsOf(req('GET', { cookie: '_gorilla_csrf=t' })), undefined);
  assert.equal(credentialsOf(req('GET', { authorization: 'Harbor-Secret xyz' })), undefined, 'not a user credential');
  assert.equal(credentialsOf(req('GET', {}))?.kind, undefined);
});

test('CSRF: only unsafe cookie-only requests are checked', () => {
  const host = { host: 'patch.example:8480' };
  assert.equal(csrfProblem(req('GET', { ...host, cookie: 'sid=a' })), undefined);
  assert.match(csrfProblem(req('POST', { ...host, cookie: 'sid=a' }))!, /CSRF token missing/);
  assert.match(
    csrfProblem(req('DELETE', { ...host, cookie: 'sid=a', 'x-harbor-csrf-token': '' }))!,
    /CSRF token missing/,
  );
  assert.equal(csrfProblem(req('POST', { ...host, cookie: 'sid=a', 'x-harbor-csrf-token': 't' })), undefined);
  assert.equal(
    csrfProblem(
      req('POST', { ...host, cookie: 'sid=a', 'x-harbor-csrf-token': 't', origin: 'http://patch.example:8480' }),
    ),
    undefined,
  );
  assert.match(
    csrfProblem(req('POST', { ...host, cookie: 'sid=a', 'x-harbor-csrf-token': 't', origin: 'http://evil.example' }))!,
    /cross-site/,
  );
  assert.match(
    csrfProblem(req('POST', { ...host, cookie: 'sid=a', 'x-harbor-csrf-token': 't', origin: 'null' }))!,
    /cross-site/,
  );
  assert.match(
    csrfProblem(
      req('PUT', { ...host, cookie: 'sid=a', 'x-harbor-csrf-token': 't', referer: 'http://evil.example/x' }),
    )!,
    /Referer/,
  );
  assert.equal(
    csrfProblem(
      req('POST', { ...host, cookie: 'sid=a', 'x-harbor-csrf-token': 't', origin: 'https://harbor.example.com' }),
      'https://harbor.example.com',
    ),
    undefined,
    'the configured external URL is a same origin',
  );
  assert.equal(csrfProblem(req('POST', { ...host, cookie: 'sid=a', authorization: 'Basic eDp5' })), undefined);
  assert.equal(csrfProblem(req('POST', { ...host })), undefined, 'no cookie: nothing a browser adds by itself');
});

test('CSRF: a cookie request with an Authorization header that is not a credential is still checked', () => {
  const host = { host: 'patch.example:8480' };
  for (const authorization of ['Foo bar', 'Basic', 'Basic ', 'Bearer', 'Harbor-Secret x', 'Negotiate abc', '   ']) {
    assert.match(
      csrfProblem(req('POST', { ...host, cookie: 'sid=a', authorization }))!,
      /CSRF token missing/,
      `Authorization: "${authorization}"`,
    );
  }
  // Authenticated by the header: the cookie is not used, so there is nothing a forged request could borrow.
  assert.equal(csrfProblem(req('POST', { ...host, cookie: 'sid=a', authorization: 'Bearer eyJ.x.y' })), undefined);
});

test('webhook credentials: one per project id, derived from the secret, checked in full', () => {
  const secret = 'service-secret';
  const a = projectWebhookCredential(secret, 12);
  assert.match(a, /^hp1\.12\.[0-9a-f]{64}$/);
  assert.ok(!a.includes(secret));
  assert.notEqual(projectWebhookCredential(secret, 13).split('.')[2], a.split('.')[2]);
  assert.notEqual(projectWebhookCredential('other-secret', 12), a);
  assert.deepEqual(checkWebhookCredential(webhookAuthHeader(secret, 12), secret), { ok: true, projectId: 12 });
  assert.deepEqual(checkWebhookCredential(a, secret), { ok: true, projectId: 12 }, 'without Bearer too');
  // Another project's id with this project's MAC, or any other change: refused.
  const swapped = a.replace('hp1.12.', 'hp1.13.');
  for (const header of [
    `Bearer ${swapped}`,
    `Bearer ${a}0`,
    `Bearer ${a.slice(0, -1)}`,
    'Bearer hp1.0.' + '0'.repeat(64),
  ]) {
    assert.deepEqual(checkWebhookCredential(header, secret), { ok: false, problem: 'invalid' }, header);
  }
  assert.deepEqual(checkWebhookCredential(webhookAuthHeader(secret, 12), 'other-secret'), {
    ok: false,
    problem: 'invalid',
  });
  assert.deepEqual(checkWebhookCredential(`Bearer ${secret}`, secret), { ok: false, problem: 'shared-secret' });
  assert.deepEqual(checkWebhookCredential(undefined, secret), { ok: false, problem: 'missing' });
  assert.deepEqual(checkWebhookCredential('', secret), { ok: false, problem: 'missing' });
});

test('validator paths become JSON paths', () => {
  assert.equal(fieldFromPath('/body/filters/0/value'), 'filters[0].value');
  assert.equal(fieldFromPath('.body.trigger.cron'), 'trigger.cron');
  assert.equal(fieldFromPath('/query/page_size'), 'query.page_size');
  assert.equal(fieldFromPath('/params/policy_id'), 'path.policy_id');
  assert.equal(fieldFromPath('/body'), '');
  assert.equal(fieldFromPath(undefined), '');
});
