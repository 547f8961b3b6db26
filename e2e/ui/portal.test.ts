/**
 * The portal in a real browser against the adapter and the Harbor stand-in: sign in, the policy list
 * and modal (with field errors from the shared validation and the server), permissions per role,
 * and patching the sample image from the Artifacts tab to a successful task with before/after numbers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Registry, registryUrl, sampleImage, uniqueRepository } from '../lib/stack';
import { PASSWORD, screenshotDir, signIn, startStack, type Stack } from './harness';

let stack: Stack;

before(async () => {
  stack = await startStack();
});

after(async () => {
  await stack?.close();
});

describe('portal', () => {
  test('an anonymous visitor is sent to the sign-in page, and a wrong password is refused', async () => {
    const context = await stack.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.adapter.url}/patching/projects/library/policies`);
    await page.waitForURL(/\/patching\/sign-in\?redirect_url=/);
    await page.fill('#login_username', 'alice');
    await page.fill('#login_password', 'wrong-password');
    await page.click('#log_in');
    await page.waitForSelector('#login-error');
    assert.match((await page.textContent('#login-error')) ?? '', /Invalid user name or password/);
    await context.close();
  });

  test('alice creates a patch policy through the modal and sees it in the list', async () => {
    const { context, page } = await signIn(stack, 'alice');
    assert.equal(await page.textContent('#current-username'), 'alice');
    await page.click('a.project-link:text-is("library")');
    await page.waitForSelector('#policy-list');
    await page.click('#new-policy');
    await page.waitForSelector('#policy-modal');

    // A bad name is refused at the field, before anything is sent.
    await page.fill('#policy-name', 'Bad Name!');
    await page.click('#policy-save');
    await page.waitForSelector('#policy-name-error');
    assert.match((await page.textContent('#policy-name-error')) ?? '', /lower-case letters/);

    await page.fill('#policy-name', 'nightly-web');
    await page.fill('#policy-description', 'Patch the web images every night');
    await page.fill('#filter-repository', 'library/**');
    await page.fill('#filter-tag', '1.*');
    await page.selectOption('#trigger-type', 'scheduled');
    await page.selectOption('#cron-preset', 'Daily');
    await page.selectOption('#severity-threshold', 'High');
    await page.selectOption('#tag-scheme', 'incremental');
    assert.match((await page.textContent('#tag-preview')) ?? '', /1\.0-patched-1/);
    await page.screenshot({ path: join(screenshotDir, 'policy-modal.png') });
    await page.click('#policy-save');
    await page.waitForSelector('#policy-modal', { state: 'detached' });
    const row = page.locator('clr-dg-row[data-policy="nightly-web"]');
    await row.waitFor();
    const text = (await row.textContent()) ?? '';
    assert.match(text, /Enabled/);
    assert.match(text, /Scheduled/);
    assert.match(text, /High/);
    assert.match(text, /Incremental/);
    await page.screenshot({ path: join(screenshotDir, 'policy-list.png') });

    // The same name again: the server's 409 conflict comes back and is shown.
    await page.click('#new-policy');
    await page.fill('#policy-name', 'nightly-web');
    await page.click('#policy-save');
    await page.waitForSelector('#policy-name-error, .general-error');
    const shown = (await page.locator('#policy-name-error, .general-error').first().textContent()) ?? '';
    assert.match(shown, /nightly-web|exist/i);

    // Typed key by key, the name is checked while typing: "already exists" shows before any save.
    await page.fill('#policy-name', '');
    await page.locator('#policy-name').pressSequentially('nightly-web');
    await page.waitForSelector('#policy-name-error:has-text("already exists")');
    assert.match(
      (await page.textContent('#policy-name-error')) ?? '',
      /A patch policy named nightly-web already exists in this project/,
    );
    await page.click('#policy-cancel');
    await context.close();
  });

  test('alice edits a policy, disables it (Run is then off), enables it and runs it', async () => {
    stack.sim.addLabel({ name: 'ui-prod', scope: 'p', project: 'library', color: '#C92100' });
    const { context, page } = await signIn(stack, 'alice');
    await page.goto(`${stack.adapter.url}/patching/projects/library/policies`);
    await page.click('#new-policy');
    await page.fill('#policy-name', 'nothing-matches');
    await page.fill('#filter-repository', 'library/no-such-repository-*');
    // The label picker lists Harbor's labels; the chosen one becomes a label filter.
    await page.click('#filter-label');
    await page.click('.label-item:has-text("ui-prod")');
    await page.keyboard.press('Escape');
    await page.click('#policy-save');
    const row = page.locator('clr-dg-row[data-policy="nothing-matches"]');
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /label: ui-prod/);

    await row.locator('input[type="radio"]').check({ force: true });
    await page.click('#policy-action');
    await page.click('#edit-policy');
    await page.waitForSelector('#policy-modal');
    assert.equal(await page.inputValue('#policy-name'), 'nothing-matches');
    assert.equal(await page.inputValue('#filter-repository'), 'library/no-such-repository-*');
    await page.fill('#policy-description', 'edited in the browser');
    await page.click('#policy-save');
    await page.waitForSelector('#policy-modal', { state: 'detached' });
    await page.waitForFunction(() =>
      document
        .querySelector('clr-dg-row[data-policy="nothing-matches"]')
        ?.textContent?.includes('edited in the browser'),
    );

    await page.click('#policy-action');
    await page.click('#disable-policy');
    await page.waitForFunction(() =>
      document.querySelector('clr-dg-row[data-policy="nothing-matches"]')?.textContent?.includes('Deactivated'),
    );
    assert.equal(await page.isDisabled('#run-policy'), true);
    await page.click('#policy-action');
    await page.click('#enable-policy');
    await page.waitForFunction(() => !(document.querySelector('#run-policy') as HTMLButtonElement)?.disabled);

    await page.click('#run-policy');
    await page.waitForURL(/\/executions\?policy_id=\d+/);
    const exec = page.locator('#execution-list clr-dg-row').first();
    await exec.waitFor();
    assert.match((await exec.textContent()) ?? '', /nothing-matches[\s\S]*Manual/);
    await context.close();
  });

  test('a scheduled custom cron with seconds other than 0 is refused at the field', async () => {
    const { context, page } = await signIn(stack, 'alice');
    await page.goto(`${stack.adapter.url}/patching/projects/library/policies`);
    await page.click('#new-policy');
    await page.fill('#policy-name', 'bad-cron');
    await page.selectOption('#trigger-type', 'scheduled');
    await page.selectOption('#cron-preset', 'Custom');
    await page.fill('#cron-custom', '5 0 * * * *');
    await page.click('#policy-save');
    await page.waitForSelector('#cron-error');
    assert.match((await page.textContent('#cron-error')) ?? '', /cron|seconds/i);
    await context.close();
  });

  test('the dry-run preview lists the sample image and why other artifacts are left out', async () => {
    const { context, page } = await signIn(stack, 'alice');
    await page.goto(`${stack.adapter.url}/patching/projects/library/policies`);
    await page.click('#new-policy');
    await page.fill('#filter-repository', 'library/sample-app');
    await page.click('#policy-preview-btn');
    await page.waitForSelector('#policy-preview, #preview-error');
    const preview = (await page.locator('#policy-preview, #preview-error').first().textContent()) ?? '';
    assert.match(preview, /sample-app/);
    await context.close();
  });

  test('when the session ends on a page, the next call sends the user to sign in and back to that page', async () => {
    const { context, page } = await signIn(stack, 'alice');
    await page.goto(`${stack.adapter.url}/patching/projects/library/policies`);
    await page.locator('clr-dg-row[data-policy="nightly-web"]').waitFor();
    // Harbor's session cookie is gone (expired or signed out elsewhere): the next API call answers 401.
    await context.clearCookies();
    await page.click('#refresh-policies');
    await page.waitForURL(/\/patching\/sign-in\?redirect_url=%2Fprojects%2Flibrary%2Fpolicies$/);
    assert.match((await page.textContent('#session-expired')) ?? '', /session has expired/);
    // The sign-in page itself does not bounce (its own calls are anonymous).
    await page.waitForTimeout(500);
    assert.match(page.url(), /\/patching\/sign-in\?redirect_url=/);
    await page.fill('#login_username', 'alice');
    await page.fill('#login_password', PASSWORD);
    await page.click('#log_in');
    await page.waitForURL(/\/patching\/projects\/library\/policies$/);
    await page.locator('clr-dg-row[data-policy="nightly-web"]').waitFor();
    await context.close();
  });

  test('gina (guest) sees the lists but no New, Run or Patch buttons', async () => {
    const { context, page } = await signIn(stack, 'gina');
    await page.goto(`${stack.adapter.url}/patching/projects/library/policies`);
    await page.waitForSelector('#policy-list');
    await page.locator('clr-dg-row[data-policy="nightly-web"]').waitFor();
    assert.equal(await page.locator('#new-policy').count(), 0);
    assert.equal(await page.locator('#run-policy').count(), 0);
    // The webhook registration is for project admins only: nothing asked, nothing shown.
    assert.equal(await page.locator('#webhook-status').count(), 0);
    await page.goto(`${stack.adapter.url}/patching/projects/library/artifacts/sample-app`);
    await page.waitForSelector('#artifact-list clr-dg-row');
    assert.equal(await page.locator('#patch-artifact').count(), 0);
    await context.close();
  });

  test('alice patches an image from the Artifacts tab and sees the task succeed with before/after', async () => {
    // A copy of the sample image of our own, so the shared sample stays as it is.
    const repository = uniqueRepository('library', 'ui-sample');
    const registry = new Registry(registryUrl);
    await registry.copyImage(sampleImage, `${repository}:1.0`);
    const name = repository.slice('library/'.length);
    await stack.sim.scan('library', name, '1.0');

    const { context, page } = await signIn(stack, 'alice');
    await page.goto(`${stack.adapter.url}/patching/projects/library/artifacts/${name}`);
    const row = page.locator('clr-dg-row[data-artifact="1.0"]');
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /total/);
    await row.locator('input[type="radio"]').check({ force: true });
    await page.click('#patch-artifact');
    await page.waitForURL(/\/executions\/\d+\/tasks\/\d+$/);
    await page.waitForSelector(
      '#task-status [data-status="Success"], #task-status [data-status="Error"], #task-status [data-status="Skipped"]',
      {
        timeout: 600_000,
      },
    );
    const status = await page.locator('#task-status [data-status]').getAttribute('data-status');
    const reason = (await page.locator('#task-reason').count()) ? await page.textContent('#task-reason') : '';
    assert.equal(status, 'Success', `task ended ${status}: ${reason}`);
    await page.waitForSelector('#task-before-after');
    const total = page.locator('#task-before-after tr[data-severity="Total"]');
    const before = Number(await total.locator('.before').textContent());
    const afterCount = Number(await total.locator('.after').textContent());
    assert.ok(before > 0, 'the sample image had vulnerabilities before');
    assert.ok(afterCount < before, `fewer vulnerabilities after (${before} -> ${afterCount})`);
    assert.match((await page.textContent('#task-patched-tag')) ?? '', /^1\.0-patched/);
    await page.screenshot({ path: join(screenshotDir, 'task-detail.png') });

    // The execution's tasks page and the executions grid show the same result.
    await page.click('#back-to-tasks');
    const taskRow = page.locator('#task-list clr-dg-row').first();
    await taskRow.waitFor();
    const taskText = (await taskRow.textContent()) ?? '';
    assert.match(taskText, /Success/);
    assert.match(taskText, /1\.0-patched/);
    await page.screenshot({ path: join(screenshotDir, 'tasks.png') });
    await page.click('#tab-executions');
    const execRow = page.locator('#execution-list clr-dg-row').first();
    await execRow.waitFor();
    assert.match((await execRow.textContent()) ?? '', /Success[\s\S]*Ad hoc[\s\S]*100%/);
    await page.screenshot({ path: join(screenshotDir, 'executions.png') });
    await context.close();
  });

  test('alice sees that Harbor sends events elsewhere and re-registers the webhook from the policies page', async () => {
    stack.sim.addWebhookPolicy('library', {
      name: 'harbor-patching',
      address: 'http://old-host.invalid/patching/webhooks/harbor',
      events: ['SCANNING_COMPLETED', 'PUSH_ARTIFACT'],
    });
    const { context, page } = await signIn(stack, 'alice');
    await page.goto(`${stack.adapter.url}/patching/projects/library/policies`);
    await page.waitForSelector('#webhook-status[data-state="address-mismatch"]');
    const text = (await page.textContent('#webhook-status-text')) ?? '';
    assert.match(text, /old-host\.invalid/);
    assert.ok(text.includes(`${stack.adapter.url}/patching/webhooks/harbor`), text);
    assert.match((await page.textContent('#register-webhook')) ?? '', /UPDATE WEBHOOK/);
    await page.click('#register-webhook');
    await page.waitForSelector('#webhook-status[data-state="registered"], #webhook-register-error');
    assert.equal(
      await page.getAttribute('#webhook-status', 'data-state'),
      'registered',
      (await page.textContent('#webhook-status-text')) ?? '',
    );
    assert.equal(await page.locator('#register-webhook').count(), 0);

    // Harbor keeps it: after a reload, and in the modal of an event-based policy, it shows registered.
    await page.reload();
    await page.waitForSelector('#webhook-status[data-state="registered"]');
    await page.click('#new-policy');
    await page.selectOption('#trigger-type', 'event_based');
    await page.waitForSelector('#policy-modal #webhook-status[data-state="registered"]');
    await page.screenshot({ path: join(screenshotDir, 'policy-modal-webhook.png') });
    await page.click('#policy-cancel');
    await context.close();
  });
});
