/** The pure parts of auth: reading credentials, the CSRF rule, validator paths as field names. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Request } from 'express';
import { credentialsOf } from '../../src/auth/credentials';
import { csrfProblem } from '../../src/auth/csrf';
import { fieldFromPath } from '../../src/http/errors';

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

test('validator paths become JSON paths', () => {
  assert.equal(fieldFromPath('/body/filters/0/value'), 'filters[0].value');
  assert.equal(fieldFromPath('.body.trigger.cron'), 'trigger.cron');
  assert.equal(fieldFromPath('/query/page_size'), 'query.page_size');
  assert.equal(fieldFromPath('/params/policy_id'), 'path.policy_id');
  assert.equal(fieldFromPath('/body'), '');
  assert.equal(fieldFromPath(undefined), '');
});
