/**
 * Every page of the portal, as the roles that see it, checked with axe-core: no critical or serious
 * violation (labels, names, contrast, ARIA). The counts per page are printed at the end.
 */
import { after, before, describe, test } from 'node:test';
import { assertAccessible, axeReport } from './axe';
import { PASSWORD, signIn, startStack, type Stack } from './harness';
import type { BrowserContext, Page } from 'playwright-core';

let stack: Stack;
const sessions = new Map<string, { context: BrowserContext; page: Page }>();
let executionId = 0;
let taskId = 0;

/** The adapter's API as alice (Basic auth: no CSRF token needed). */
async function api(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(`${stack.adapter.url}/patching/api/v1${path}`, {
    ...init,
    headers: {
      authorization: `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`,
      'content-type': 'application/json',
      ...(init.headers ?? {}),
    },
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${res.status}: ${await res.text()}`);
  return res;
}

async function as(user: string): Promise<Page> {
  let session = sessions.get(user);
  if (!session) {
    session = await signIn(stack, user);
    sessions.set(user, session);
  }
  return session.page;
}

async function open(user: string, path: string, ready: string): Promise<Page> {
  const page = await as(user);
  await page.goto(`${stack.adapter.url}/patching${path}`);
  await page.waitForSelector(ready);
  // Let the datagrid finish loading (its spinner leaves) before the check.
  await page.waitForFunction(() => !document.querySelector('.datagrid-spinner'));
  return page;
}

before(async () => {
  stack = await startStack();
  await api('/projects/library/policies', {
    method: 'POST',
    body: JSON.stringify({
      name: 'a11y-nightly',
      description: 'A description long enough to be cut in the list and shown in full on hover',
      filters: [{ type: 'repository', value: 'library/no-such-repository', decoration: 'matches', syntax: 'glob' }],
      trigger: { type: 'scheduled', cron: '0 0 3 * * *' },
    }),
  });
  // An ad-hoc patch of an image with nothing to fix: a task that ends quickly, without copa.
  const started = await api('/projects/library/repositories/debian/artifacts/bookworm/patch', {
    method: 'POST',
    body: '{}',
  });
  executionId = ((await started.json()) as { id: number }).id;
  taskId = Number(started.headers.get('x-patch-task-id'));
});

after(async () => {
  for (const { context } of sessions.values()) await context.close();
  await stack?.close();
  process.stdout.write(`${axeReport()}\n`);
});

describe('accessibility (axe-core: no critical or serious violation)', () => {
  test('sign-in page', async () => {
    const context = await stack.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.adapter.url}/patching/sign-in`);
    await page.waitForSelector('#login_username');
    try {
      await assertAccessible(page, 'sign-in');
    } finally {
      await context.close();
    }
  });

  test('project list', async () => {
    await assertAccessible(await open('alice', '/projects', '#project-list clr-dg-row'), 'projects (alice)');
  });

  test('patch policies, with the action menu open', async () => {
    const page = await open('alice', '/projects/library/policies', 'clr-dg-row[data-policy="a11y-nightly"]');
    await assertAccessible(page, 'policies (alice)');
    await page.locator('clr-dg-row[data-policy="a11y-nightly"] input[type="radio"]').check({ force: true });
    await page.click('#policy-action');
    await page.waitForSelector('#edit-policy');
    await assertAccessible(page, 'policies, action menu (alice)');
    await page.keyboard.press('Escape');
  });

  test('the policy modal with a custom cron and a preview', async () => {
    const page = await open('alice', '/projects/library/policies', '#new-policy');
    await page.click('#new-policy');
    await page.waitForSelector('#policy-modal');
    await page.selectOption('#trigger-type', 'scheduled');
    await page.selectOption('#cron-preset', 'Custom');
    await page.fill('#filter-repository', 'library/**');
    await page.click('#policy-preview-btn');
    await page.waitForSelector('#policy-preview, #preview-error');
    await assertAccessible(page, 'policy modal with preview (alice)');
    await page.click('#policy-cancel');
  });

  test('executions', async () => {
    await assertAccessible(
      await open('alice', '/projects/library/executions', '#execution-list clr-dg-row'),
      'executions (alice)',
    );
  });

  test('tasks of an execution', async () => {
    await assertAccessible(
      await open('alice', `/projects/library/executions/${executionId}/tasks`, '#task-list clr-dg-row'),
      'tasks (alice)',
    );
  });

  test('task detail', async () => {
    await assertAccessible(
      await open('alice', `/projects/library/executions/${executionId}/tasks/${taskId}`, '#task-status'),
      'task detail (alice)',
    );
  });

  test('repositories and artifacts', async () => {
    await assertAccessible(
      await open('alice', '/projects/library/artifacts', '#repository-list clr-dg-row'),
      'repositories (alice)',
    );
    await assertAccessible(
      await open('alice', '/projects/library/artifacts/sample-app', '#artifact-list clr-dg-row'),
      'artifacts (alice)',
    );
  });

  test('the pages a guest, a developer and a limited guest see', async () => {
    await assertAccessible(
      await open('gina', '/projects/library/policies', '#policy-list clr-dg-row'),
      'policies (gina)',
    );
    await assertAccessible(
      await open('dave', '/projects/library/artifacts/sample-app', '#artifact-list clr-dg-row'),
      'artifacts (dave)',
    );
    await assertAccessible(await open('lena', '/projects/library', 'clr-datagrid'), 'project landing (lena)');
  });
});
