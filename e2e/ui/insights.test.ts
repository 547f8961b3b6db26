/**
 * The insights in the browser: a project admin's Overview (charts whose data tables match the API, the
 * backlog's shortcut opening the policy dialog pre-filled), a guest's Overview (the same numbers, no
 * shortcut), the system view for a Harbor system admin and its refusal for others; axe-core on each page.
 * A history of finished tasks is written into the adapter's database first, as the engine writes it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { DEFAULT_PATCH_OPTIONS, SqlExecutionStore, sqliteSql } from '@harbor-patching/adapter';
import { assertAccessible } from './axe';
import { PASSWORD, screenshotDir, signIn, startStack, type Stack } from './harness';

let stack: Stack;
const sessions: BrowserContext[] = [];

async function api(user: string, path: string): Promise<any> {
  const res = await fetch(`${stack.adapter.url}/patching/api/v1${path}`, {
    headers: { authorization: `Basic ${Buffer.from(`${user}:${PASSWORD}`).toString('base64')}` },
  });
  if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

async function as(user: string): Promise<Page> {
  const { context, page } = await signIn(stack, user);
  sessions.push(context);
  return page;
}

/** Rows of a chart's data table, as text cells. */
async function tableRows(page: Page, chartId: string): Promise<string[][]> {
  return page
    .locator(`#${chartId}-table tbody tr`)
    .evaluateAll((rows) =>
      rows.map((r) => Array.from(r.querySelectorAll('th, td')).map((c) => (c.textContent ?? '').trim())),
    );
}

before(async () => {
  stack = await startStack();
  const store = new SqlExecutionStore(sqliteSql(stack.adapter.db));
  const e = await store.insertExecution({ project: 'library', trigger: 'MANUAL', options: DEFAULT_PATCH_OPTIONS });
  const day = 86_400_000;
  const history = [
    { ago: 2, status: 'Success', reason: null, fixed: ['CVE-2026-0001', 'CVE-2026-0002', 'CVE-2026-0003'] },
    { ago: 2, status: 'Skipped', reason: 'UP_TO_DATE', fixed: [] },
    { ago: 1, status: 'Success', reason: null, fixed: ['CVE-2026-0004'] },
    { ago: 0, status: 'Error', reason: 'COPA_FAILED', fixed: [] },
  ] as const;
  for (const [i, h] of history.entries()) {
    const t = await store.insertTask({
      execution_id: e.id,
      project: 'library',
      repository: 'ui-history',
      tag: `1.${i}`,
      source_digest: `sha256:${String(i + 1).repeat(64)}`,
    });
    const end = new Date(Date.now() - h.ago * day);
    await store.updateTask(t.id, {
      status: h.status,
      reason: h.reason,
      start_time: new Date(end.getTime() - 60_000).toISOString(),
      end_time: end.toISOString(),
      fixed_cves: [...h.fixed],
      vulnerabilities_before:
        h.status === 'Success'
          ? { total: 9, fixable: 4, summary: { Critical: 1, High: 8 }, fixable_summary: { Critical: 1, High: 3 } }
          : null,
      vulnerabilities_after:
        h.status === 'Success' ? { total: 5, fixable: 0, summary: { High: 5 }, fixable_summary: {} } : null,
    });
  }
  await store.refreshExecution(e.id);
});

after(async () => {
  for (const c of sessions) await c.close().catch(() => {});
  await stack?.close();
});

describe('insights in the portal', () => {
  test("a project admin's Overview: charts whose tables match the API, axe-clean", async () => {
    const page = await as('alice');
    await page.goto(`${stack.adapter.url}/patching/projects/library/overview`);
    await page.waitForSelector('#chart-fixed canvas');
    await page.waitForSelector('#tab-overview.active');
    assert.equal((await page.textContent('#figure-fixed'))?.trim(), '4');
    assert.equal((await page.textContent('#figure-patched'))?.trim(), '2');

    const insights = await api('alice', '/projects/library/insights');
    await page.click('#chart-fixed-toggle');
    assert.deepEqual(
      await tableRows(page, 'chart-fixed'),
      insights.outcomes.map((o: { period: string; fixed_cves: number }) => [o.period, String(o.fixed_cves)]),
    );
    await page.click('#chart-outcomes-toggle');
    assert.deepEqual(
      await tableRows(page, 'chart-outcomes'),
      insights.outcomes.map((o: { period: string; succeeded: number; skipped: number; failed: number }) => [
        o.period,
        String(o.succeeded),
        String(o.skipped),
        String(o.failed),
        '0',
      ]),
    );
    await page.screenshot({ path: join(screenshotDir, 'insights-overview-admin.png'), fullPage: true });
    await assertAccessible(page, 'overview (alice)');
  });

  test("the backlog's shortcut opens the policy dialog pre-filled for the repository", async () => {
    const page = await as('alice');
    await page.goto(`${stack.adapter.url}/patching/projects/library/overview`);
    await page.waitForSelector('#next-runs, #empty-policies');
    await page.selectOption('#backlog-severity', 'Low');
    await page.waitForSelector('#backlog-table, #empty-backlog');
    const insights = await api('alice', '/projects/library/insights?severity=Low');
    assert.ok(
      insights.backlog.repositories.length > 0,
      `the demo project has scanned images with fixable vulnerabilities: ${JSON.stringify(insights.backlog)}`,
    );
    const first = insights.backlog.repositories[0].repository;
    assert.equal((await page.textContent('#backlog-table tbody tr:first-child th'))?.trim(), first);
    await page.click('#backlog-table tbody tr:first-child .create-policy');
    await page.waitForSelector('#policy-modal');
    await page.waitForURL(/\/patching\/projects\/library\/policies$/);
    assert.equal(await page.inputValue('#filter-repository'), `library/${first}`);
    assert.match(await page.inputValue('#policy-name'), /^patch-library-/);
    assert.equal(await page.inputValue('#severity-threshold'), 'Low');
    await page.screenshot({ path: join(screenshotDir, 'insights-create-policy.png') });
  });

  test('a guest lands on the Overview and sees the same numbers, without the shortcut; axe-clean', async () => {
    const page = await as('gina');
    await page.click('a.project-link:text-is("library")');
    await page.waitForURL(/\/patching\/projects\/library\/overview$/);
    await page.waitForSelector('#chart-fixed canvas');
    assert.equal((await page.textContent('#figure-fixed'))?.trim(), '4');
    await page.waitForSelector('#backlog-summary');
    assert.equal(await page.locator('.create-policy').count(), 0);
    await page.screenshot({ path: join(screenshotDir, 'insights-overview-guest.png'), fullPage: true });
    await assertAccessible(page, 'overview (gina)');
  });

  test("the system view for a Harbor system admin, with each project's row; others are told who may see it", async () => {
    const page = await as('admin');
    await page.click('#nav-insights');
    await page.waitForURL(/\/patching\/insights$/);
    await page.waitForSelector('#projects-table');
    const rows = await page
      .locator('#projects-table tbody tr th')
      .evaluateAll((cells) => cells.map((c) => (c.textContent ?? '').trim()));
    assert.ok(rows.includes('library'), rows.join(', '));
    const system = await api('admin', '/insights');
    assert.equal((await page.textContent('#figure-fixed'))?.trim(), String(system.totals.fixed_cves));
    await page.waitForSelector('#chart-outcomes canvas');
    await page.screenshot({ path: join(screenshotDir, 'insights-system.png'), fullPage: true });
    await assertAccessible(page, 'system insights (admin)');

    const guest = await as('gina');
    assert.equal(await guest.locator('#nav-insights').count(), 0);
    await guest.goto(`${stack.adapter.url}/patching/insights`);
    await guest.waitForSelector('#system-denied');
  });
});
