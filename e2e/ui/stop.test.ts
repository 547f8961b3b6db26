/**
 * Stop in the browser: alice patches an image from the Artifacts tab, stops the execution from its
 * tasks page while the task waits for Harbor's scan, and sees the task and the execution Stopped, also
 * through the executions' Stopped filter.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RegistryClient, registryUrl, sampleImage, uniqueRepository } from '@harbor-patching/oci-testkit';
import { screenshotDir, signIn, startStack, type Stack } from './harness';

let stack: Stack;

before(async () => {
  stack = await startStack();
});

after(async () => {
  await stack?.close();
});

test('alice starts a patch, stops it from the UI, and sees it Stopped (task, execution, Stopped filter)', async () => {
  // A copy nobody scanned yet: the task asks Harbor to scan it, and the scan takes its time.
  const repository = uniqueRepository('library', 'ui-stop');
  await new RegistryClient(registryUrl).copyImage(sampleImage, `${repository}:1.0`);
  const name = repository.slice('library/'.length);
  stack.sim.setScanDelay(30_000);
  const { context, page } = await signIn(stack, 'alice');
  try {
    await page.goto(`${stack.adapter.url}/patching/projects/library/artifacts/${name}`);
    const row = page.locator('clr-dg-row[data-artifact="1.0"]');
    await row.waitFor();
    await row.locator('input[type="radio"]').check({ force: true });
    await page.click('#patch-artifact');
    await page.waitForURL(/\/executions\/\d+\/tasks\/\d+$/);
    const executionId = Number(/\/executions\/(\d+)\/tasks\//.exec(page.url())![1]);
    await page.waitForSelector('#task-status [data-status="Running"]');

    await page.click('#back-to-tasks');
    await page.waitForSelector('#stop-tasks:not([disabled])');
    await page.click('#stop-tasks');
    await page.click('#confirm-ok');
    const task = page.locator('#task-list clr-dg-row').first();
    await task.locator('[data-status="Stopped"]').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: join(screenshotDir, 'stopped-tasks.png') });

    await page.click('#tab-executions');
    await page.selectOption('#execution-filter-by', 'status');
    await page.selectOption('#execution-filter', 'Stopped');
    const stopped = page.locator(`#execution-list clr-dg-row[data-execution="${executionId}"]`);
    await stopped.waitFor();
    assert.equal(await stopped.locator('[data-status]').first().getAttribute('data-status'), 'Stopped');
    await page.screenshot({ path: join(screenshotDir, 'stopped-executions.png') });
  } finally {
    stack.sim.setScanDelay(200);
    await context.close();
  }
});
