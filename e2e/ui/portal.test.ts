/**
 * The portal in a real browser against the adapter and the Harbor stand-in: sign in, the policy list
 * and modal (with field errors from the shared validation and the server), permissions per role,
 * and patching the sample image from the Artifacts tab to a successful task with before/after numbers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  debianImage,
  layer,
  RegistryClient,
  registryUrl,
  sampleImage,
  uniqueRepository,
} from '@harbor-patching/oci-testkit';
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

  test('alice edits a policy, deactivates it (Run is then off), enables it and runs it, each confirmed as in Harbor', async () => {
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

    /** The open confirmation: its title and question, then the confirm button is clicked. */
    const confirm = async (): Promise<string> => {
      await page.waitForSelector('.modal-dialog #confirm-ok');
      const asked = `${await page.textContent('.modal-dialog .modal-title')} | ${await page.textContent('.modal-dialog .confirmation-content')}`;
      await page.click('#confirm-ok');
      await page.waitForSelector('.modal-dialog', { state: 'detached' });
      return asked.replace(/\s+/g, ' ').trim();
    };
    await page.click('#policy-action');
    assert.equal((await page.textContent('#disable-policy'))?.trim(), 'Deactivate');
    await page.click('#disable-policy');
    assert.match(
      await confirm(),
      /^Deactivate patch policy \| Do you want to deactivate the patch policy nothing-matches\?/,
    );
    await page.waitForFunction(() =>
      document.querySelector('clr-dg-row[data-policy="nothing-matches"]')?.textContent?.includes('Deactivated'),
    );
    assert.equal(await page.isDisabled('#run-policy'), true);
    await page.click('#policy-action');
    await page.click('#enable-policy');
    assert.match(await confirm(), /^Enable patch policy \| Do you want to enable the patch policy nothing-matches\?/);
    await page.waitForFunction(() => !(document.querySelector('#run-policy') as HTMLButtonElement)?.disabled);

    await page.click('#run-policy');
    assert.match(
      await confirm(),
      /^Confirm policy execution \| Do you want to execute the patch policy nothing-matches\?/,
    );
    await page.waitForURL(/\/executions\?policy_id=\d+/);
    // The filter chip names the policy.
    await page.waitForSelector('#policy-filter-chip:has-text("Policy: nothing-matches")');
    const exec = page.locator('#execution-list clr-dg-row').first();
    await exec.waitFor();
    assert.match((await exec.textContent()) ?? '', /nothing-matches[\s\S]*Manual/);
    // Nothing matched: said in words, with no raw reason code and no rate.
    await page.waitForFunction(() =>
      document.querySelector('#execution-list clr-dg-row .outcome-cell')?.textContent?.includes('Nothing to patch'),
    );
    const cells = await exec.locator('clr-dg-cell').allTextContents();
    const words = cells.map((c) => c.replace(/\s+/g, ' ').replace(/ ,/g, ',').trim());
    assert.equal(words[2], 'Success');
    assert.match(words[3], /^Nothing to patch: \d+ outside the repository filter$/);
    assert.equal(words[7], '-', 'no success rate when nothing tried to patch');
    assert.doesNotMatch(cells.join(' '), /FILTERED_REPOSITORY/);
    await page.screenshot({ path: join(screenshotDir, 'executions-nothing-to-patch.png') });
    // The tasks page says the same, and no Stop for a finished execution.
    await exec.locator('a.execution-link').click();
    await page.waitForSelector('#execution-outcome');
    assert.match(
      ((await page.textContent('#execution-outcome hp-execution-outcome')) ?? '').replace(/\s+/g, ' ').trim(),
      /^Nothing to patch: \d+ outside the repository filter$/,
    );
    assert.equal(await page.locator('#stop-tasks').count(), 0);
    await context.close();
  });

  test('a custom cron is taken as typed, and what is wrong with it is said in a sentence naming the field', async () => {
    const { context, page } = await signIn(stack, 'alice');
    await page.goto(`${stack.adapter.url}/patching/projects/library/policies`);
    await page.click('#new-policy');
    await page.fill('#policy-name', 'bad-cron');
    await page.selectOption('#trigger-type', 'scheduled');
    await page.selectOption('#cron-preset', 'Custom');
    // Typed key by key, a 6-field expression stays exactly what was typed.
    await page.fill('#cron-custom', '');
    await page.locator('#cron-custom').pressSequentially('5 0 3 * * *');
    assert.equal(await page.inputValue('#cron-custom'), '5 0 3 * * *');
    await page.click('#policy-save');
    await page.waitForSelector('#cron-error');
    assert.match((await page.textContent('#cron-error')) ?? '', /the seconds field \(first\) must be 0/);
    // A 5-field entry is told Harbor's form.
    await page.fill('#cron-custom', '30 2 * * 1-5');
    await page.waitForSelector('#cron-error:has-text("6 fields")');
    assert.match(
      (await page.textContent('#cron-error')) ?? '',
      /Harbor's cron has 6 fields with the seconds first .*add the seconds: "0 30 2 \* \* 1-5"/,
    );
    await page.fill('#cron-custom', '0 61 * * * *');
    await page.waitForSelector('#cron-error:has-text("minutes field")');
    assert.equal(
      (await page.textContent('#cron-error'))?.trim(),
      'the minutes field (2nd) "61": 61 is above the maximum 59',
    );
    await page.screenshot({ path: join(screenshotDir, 'policy-modal-cron.png') });
    await page.fill('#cron-custom', '0 30 2 * * 1-5');
    await page.waitForSelector('#cron-error', { state: 'detached' });
    await page.click('#policy-cancel');
    await context.close();
  });

  test('the dry-run preview comes into view with its counts first, then the sample image and why others are left out', async () => {
    const { context, page } = await signIn(stack, 'alice');
    await page.goto(`${stack.adapter.url}/patching/projects/library/policies`);
    await page.click('#new-policy');
    await page.fill('#filter-repository', 'library/sample-app');
    await page.click('#policy-preview-btn');
    await page.waitForSelector('#policy-preview, #preview-error');
    const preview = (await page.locator('#policy-preview, #preview-error').first().textContent()) ?? '';
    assert.match(preview, /sample-app/);
    // The result sits below the whole form: the modal body scrolls it into view, counts first.
    await page.waitForFunction(() => {
      const body = document.querySelector('#policy-modal')!.getBoundingClientRect();
      const counts = document.querySelector('#preview-counts')!.getBoundingClientRect();
      return counts.top >= body.top && counts.bottom <= body.bottom;
    });
    const order = await page.evaluate(() => {
      const counts = document.querySelector('#preview-counts')!;
      const table = document.querySelector('#policy-preview table')!;
      return counts.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING;
    });
    assert.ok(order, 'the counts come before the list');
    assert.match(
      (await page.textContent('#preview-counts')) ?? '',
      /would be patched[\s\S]*Would skip:.*outside the repository filter/,
    );
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'policy-preview');
    await page.screenshot({ path: join(screenshotDir, 'policy-modal-preview.png') });
    await page.click('#policy-cancel');
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

  test('each role lands where it can act and sees only the tabs it has permissions for', async () => {
    const landing: Record<string, [string, string[]]> = {
      alice: ['policies', ['overview', 'policies', 'executions', 'artifacts']],
      dave: ['artifacts', ['overview', 'policies', 'executions', 'artifacts']],
      gina: ['overview', ['overview', 'policies', 'executions', 'artifacts']],
      lena: ['artifacts', ['artifacts']],
    };
    for (const [user, [tab, tabs]] of Object.entries(landing)) {
      const { context, page } = await signIn(stack, user);
      await page.click('a.project-link:text-is("library")');
      await page.waitForURL(new RegExp(`/patching/projects/library/${tab}$`));
      await page.waitForSelector(`#tab-${tab}.active`);
      const shown = await page.locator('nav.subnav a.nav-link').evaluateAll((links) => links.map((a) => a.id));
      assert.deepEqual(
        shown,
        tabs.map((t) => `tab-${t}`),
        user,
      );
      const nav = await page
        .locator('clr-vertical-nav-group-children a')
        .evaluateAll((links) => links.map((a) => a.id));
      assert.deepEqual(
        nav,
        tabs.map((t) => `nav-${t}`),
        `${user}: the left navigation`,
      );
      if (user === 'lena') {
        await page.screenshot({ path: join(screenshotDir, 'landing-limited-guest.png') });
        // A hidden tab typed or bookmarked leads to the landing tab too.
        await page.goto(`${stack.adapter.url}/patching/projects/library/executions`);
        await page.waitForURL(/\/patching\/projects\/library\/artifacts$/);
      }
      await context.close();
    }
  });

  test('Patch is disabled, with the reason as its tooltip, for a chart and a patched tag; an index shows its platforms', async () => {
    const repository = uniqueRepository('library', 'ui-kinds');
    const oci = new RegistryClient(registryUrl);
    await oci.pushImage(repository, '1.0', await debianImage([{ name: 'base-files', version: '12.4' }]));
    await oci.pushImage(repository, '1.0-patched', await debianImage([{ name: 'base-files', version: '12.5' }]));
    await oci.pushImage(repository, 'chart-0.1.0', {
      layers: [await layer([{ path: 'chart/Chart.yaml', content: 'name: demo\n' }])],
      configMediaType: 'application/vnd.cncf.helm.config.v1+json',
      config: { name: 'demo', version: '0.1.0' },
    });
    // The index's own child (Harbor lists children only through their index).
    const child = await oci.pushImage(
      repository,
      'child',
      await debianImage([{ name: 'base-files', version: '12.6' }]),
    );
    assert.equal((await oci.pushIndex(repository, 'multi', [child])).status, 201);

    const { context, page } = await signIn(stack, 'dave');
    await page.goto(`${stack.adapter.url}/patching/projects/library/artifacts/${repository.slice('library/'.length)}`);
    const expected: [string, string | null][] = [
      ['1.0', null],
      ['multi', null],
      ['chart-0.1.0', 'Only container images can be patched, not Helm charts, signatures or SBOMs.'],
      ['1.0-patched', 'This image was produced by patching; patch its original instead.'],
    ];
    for (const [tag, reason] of expected) {
      const row = page.locator(`clr-dg-row[data-artifact="${tag}"]`);
      await row.waitFor();
      await row.locator('input[type="radio"]').check({ force: true });
      await page.waitForFunction(
        (want) => (document.querySelector('#patch-artifact-wrap')?.getAttribute('title') ?? null) === want,
        reason,
      );
      assert.equal(await page.isDisabled('#patch-artifact'), reason !== null, tag);
      if (tag === '1.0-patched') await page.screenshot({ path: join(screenshotDir, 'artifacts-patch-disabled.png') });
    }
    // As Harbor's artifact list: the index's platforms in the Platform column.
    assert.deepEqual(await page.locator('clr-dg-row[data-artifact="multi"] .platform').allTextContents(), [
      'linux/amd64',
    ]);
    await context.close();
  });

  test('alice patches an image from the Artifacts tab and sees the task succeed with before/after', async () => {
    // A copy of the sample image of our own, so the shared sample stays as it is.
    const repository = uniqueRepository('library', 'ui-sample');
    const registry = new RegistryClient(registryUrl);
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
    const taskUrl = page.url();

    // copa's VEX document: viewed in a new tab, or downloaded as a file.
    const vexHref = await page.getAttribute('#task-vex-view', 'href');
    assert.ok(vexHref?.endsWith('/vex'), String(vexHref));
    const vex = (await (await page.request.get(new URL(vexHref!, page.url()).href)).json()) as {
      statements: { status: string }[];
    };
    assert.ok(
      vex.statements.some((st) => st.status === 'fixed'),
      'the VEX document marks fixed CVEs',
    );
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#task-vex-download')]);
    assert.equal(download.suggestedFilename(), `${name}_1.0-patched.vex.json`);

    // The patched artifact leads back to its source and to this task.
    await page.goto(`${stack.adapter.url}/patching/projects/library/artifacts/${name}`);
    const patchedRow = page.locator('clr-dg-row[data-artifact="1.0-patched"]');
    await patchedRow.waitFor();
    await patchedRow.locator('.patched-from').waitFor();
    assert.match(
      ((await patchedRow.locator('.patched-from').textContent()) ?? '').replace(/\s+/g, ' '),
      /Patched from 1\.0 by task #\d+/,
    );
    await patchedRow.locator('input[type="radio"]').check({ force: true });
    assert.equal(await page.isDisabled('#patch-artifact'), true, 'a patched image is not patched again');
    await page.screenshot({ path: join(screenshotDir, 'artifacts-patched-from.png') });
    await patchedRow.locator('a.source-link').click();
    await page.waitForURL(/\?tag=1\.0$/);
    // Exactly the source: 1.0, not 1.0-patched.
    await page.waitForFunction(() => document.querySelectorAll('#artifact-list clr-dg-row').length === 1);
    await page.locator('clr-dg-row[data-artifact="1.0"]').waitFor();
    assert.equal(await page.inputValue('#filter-artifacts'), '1.0');
    await page.goBack();
    await page.locator('clr-dg-row[data-artifact="1.0-patched"] a.task-link').click();
    await page.waitForURL(taskUrl);
    await page.waitForSelector('#task-status');

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
    assert.match((await execRow.textContent()) ?? '', /Success[\s\S]*1 patched[\s\S]*Ad hoc[\s\S]*100%/);
    // Finished: nothing to stop.
    assert.equal(await page.locator('#stop-execution').count(), 0);
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
