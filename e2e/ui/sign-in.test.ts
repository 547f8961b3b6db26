/**
 * Signing in from a fresh browser: the portal fetches Harbor's CSRF token first, as Harbor's portal does, so
 * the one POST /c/login carries it and Harbor answers 200 (no 403 "CSRF token not found" and retry in the
 * browser's log).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, startStack, type Stack } from './harness';

let stack: Stack;

before(async () => {
  stack = await startStack();
});

after(async () => {
  await stack?.close();
});

test('the first POST /c/login carries the CSRF token and is answered 200; the console stays clean', async () => {
  const context = await stack.browser.newContext();
  const page = await context.newPage();
  const logins: { status: number; token: string | undefined }[] = [];
  page.on('response', (res) => {
    if (new URL(res.url()).pathname === '/c/login' && res.request().method() === 'POST') {
      logins.push({ status: res.status(), token: res.request().headers()['x-harbor-csrf-token'] });
    }
  });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${stack.adapter.url}/patching/`);
  await page.waitForURL(/\/patching\/sign-in/);
  await page.fill('#login_username', 'alice');
  await page.fill('#login_password', PASSWORD);
  await page.click('#log_in');
  await page.waitForURL(/\/patching\/projects/);
  await page.waitForSelector('#current-username');
  assert.equal(logins.length, 1, `posts to /c/login: ${JSON.stringify(logins)}`);
  assert.equal(logins[0].status, 200);
  assert.ok(logins[0].token, 'the post carries X-Harbor-CSRF-Token');
  assert.deepEqual(
    errors.filter((e) => /403/.test(e)),
    [],
  );
  await context.close();
});
