/**
 * The portal comes in pieces: index.html loads the frame (shell, project header and tabs) and no page;
 * each page arrives in its own chunk the first time it is shown.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { initialScripts } from '../lib/portal';
import { ensurePortalBuilt, PORTAL_DIR, signIn, startStack, type Stack } from './harness';

/** Component selectors, as the compiled code names them (`selectors:[["hp-policy-list"]]`). */
const FRAME = ['hp-root', 'hp-harbor-shell', 'hp-project-detail'];
const PAGES = [
  'hp-sign-in',
  'hp-project-list',
  'hp-policy-list',
  'hp-create-edit-policy',
  'hp-execution-list',
  'hp-task-list',
  'hp-task-detail',
  'hp-repository-list',
  'hp-artifact-list',
];
const declares = (code: string, selector: string) => code.includes(`[["${selector}"]]`);

describe('the build', () => {
  test('index.html loads the frame but none of the pages, which are all in lazy chunks', () => {
    ensurePortalBuilt();
    const initial = initialScripts(readFileSync(join(PORTAL_DIR, 'index.html'), 'utf8'));
    assert.ok(initial.length > 0, 'index.html loads scripts');
    const initialCode = initial.map((f) => readFileSync(join(PORTAL_DIR, f), 'utf8')).join('\n');
    for (const selector of FRAME) assert.ok(declares(initialCode, selector), `${selector} is in the first load`);
    for (const selector of PAGES) assert.ok(!declares(initialCode, selector), `${selector} is not in the first load`);

    const lazy = readdirSync(PORTAL_DIR).filter((f) => f.endsWith('.js') && !initial.includes(f));
    for (const selector of PAGES) {
      const holders = lazy.filter((f) => declares(readFileSync(join(PORTAL_DIR, f), 'utf8'), selector));
      assert.equal(holders.length, 1, `${selector} is in exactly one lazy chunk (${holders.join(', ')})`);
    }
  });
});

describe('in the browser', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack?.close();
  });

  /** Notes the scripts a page loads; `since(mark)` names the pages whose code came after the mark. */
  function recordScripts(page: Page, context: BrowserContext) {
    const urls: string[] = [];
    page.on('response', (res) => {
      if (res.request().resourceType() === 'script') urls.push(res.url());
    });
    return {
      mark: () => urls.length,
      async since(mark: number): Promise<string[]> {
        await page.waitForLoadState('networkidle');
        const bodies = await Promise.all(urls.slice(mark).map(async (url) => (await context.request.get(url)).text()));
        return PAGES.filter((s) => bodies.some((b) => declares(b, s)));
      },
    };
  }

  test('each page brings its own chunk when it is first opened', async () => {
    const anonymous = await stack.browser.newContext();
    const signInPage = await anonymous.newPage();
    const first = recordScripts(signInPage, anonymous);
    await signInPage.goto(`${stack.adapter.url}/patching/sign-in`);
    await signInPage.waitForSelector('#login_username');
    assert.deepEqual(await first.since(0), ['hp-sign-in']);
    await anonymous.close();

    const { context, page } = await signIn(stack, 'alice');
    const scripts = recordScripts(page, context);
    const steps: { click: string; shows: string; pages: string[] }[] = [
      {
        click: 'a.project-link:text-is("library")',
        shows: '#policy-list',
        pages: ['hp-policy-list', 'hp-create-edit-policy'],
      },
      { click: '#tab-executions', shows: '#execution-list', pages: ['hp-execution-list', 'hp-task-list'] },
      { click: '#tab-artifacts', shows: '#repository-list', pages: ['hp-repository-list', 'hp-artifact-list'] },
      // A page opened before is not loaded again.
      { click: '#tab-policies', shows: '#policy-list', pages: [] },
    ];
    for (const step of steps) {
      const mark = scripts.mark();
      await page.click(step.click);
      await page.waitForSelector(step.shows);
      assert.deepEqual(await scripts.since(mark), step.pages, `after clicking ${step.click}`);
    }
    await context.close();
  });
});
