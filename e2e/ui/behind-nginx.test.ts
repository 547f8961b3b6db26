/**
 * The service behind Harbor's nginx, as an admin installs it: Debian's nginx configured like Harbor's
 * (e2e/lib/harbor-nginx.conf) with the shipped conf.d snippet (adapter/deploy/nginx/patching.location.conf)
 * in front of the Harbor stand-in (core and portal) and the adapter (PATCHING_TRUST_PROXY, PATCHING_EXTERNAL_URL).
 * Headless Chromium sees one origin: Harbor's /c/login and /api/v2.0 answered by Harbor, /patching/ by the
 * service; a CSRF-protected policy save and a patch to Success go through it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RegistryClient, registryUrl, sampleImage, uniqueRepository } from '@harbor-patching/oci-testkit';
import { freePort, startHarborNginx, type HarborNginx } from '../lib/nginx';
import { screenshotDir, signIn, startStack, type Stack } from './harness';

let stack: Stack;
let nginx: HarborNginx;
let simAddr: string;
let adapterAddr: string;

before(async () => {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  stack = await startStack({ trustProxy: true, externalUrl: origin });
  simAddr = new URL(stack.sim.url).host;
  adapterAddr = new URL(stack.adapter.url).host;
  nginx = await startHarborNginx({ core: simAddr, patching: adapterAddr, port });
});

after(async () => {
  await nginx?.close();
  await stack?.close();
});

/** The upstream nginx sent the last matching request to (from its log). */
function upstreamOf(method: string, pathPrefix: string): string | undefined {
  const line = nginx
    .routed()
    .filter((l) => l.startsWith(`${method} ${pathPrefix}`))
    .at(-1);
  return line?.split(' ')[3];
}

describe("behind Harbor's nginx", () => {
  test('nginx sends /patching/ to the service and everything else of Harbor to core; metrics stay inside', async () => {
    const health = await fetch(`${nginx.url}/patching/api/v1/health`);
    assert.equal(health.status, 200);
    assert.ok(((await health.json()) as { status?: string }).status, 'the service answered its health');
    assert.equal(upstreamOf('GET', '/patching/api/v1/health'), adapterAddr);

    const index = await fetch(`${nginx.url}/patching/`);
    assert.equal(index.status, 200);
    assert.match(await index.text(), /<base href="\/patching\/"/);
    // Harbor's server-level headers still apply to the service's pages.
    assert.equal(index.headers.get('x-frame-options'), 'DENY');

    const systeminfo = await fetch(`${nginx.url}/api/v2.0/systeminfo`);
    assert.equal(systeminfo.status, 200);
    assert.equal(upstreamOf('GET', '/api/v2.0/systeminfo'), simAddr);

    // Harbor's webhooks reach the service through the front door (refused here: no credential).
    const hook = await fetch(`${nginx.url}/patching/webhooks/harbor`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    assert.equal(hook.status, 401);
    assert.equal(upstreamOf('POST', '/patching/webhooks/harbor'), adapterAddr);

    // Prometheus scrapes the service directly; the snippet keeps the metrics off Harbor's front door.
    for (const path of ['/patching/metrics', '/patching/metrics/', '/patching/Metrics', '/patching//metrics']) {
      assert.equal((await fetch(`${nginx.url}${path}`)).status, 404, path);
    }
    assert.equal((await fetch(`${stack.adapter.url}/patching/metrics`)).status, 200);
    // The jobservice API is not exposed: /api/ is core's.
    await fetch(`${nginx.url}/api/v1/stats`);
    assert.equal(upstreamOf('GET', '/api/v1/stats'), simAddr);
  });

  test('alice signs in through nginx, saves a policy (CSRF checked) and patches an image to Success', async () => {
    const repository = uniqueRepository('library', 'nginx-sample');
    await new RegistryClient(registryUrl).copyImage(sampleImage, `${repository}:1.0`);
    const name = repository.slice('library/'.length);
    await stack.sim.scan('library', name, '1.0');

    const { context, page } = await signIn(stack, 'alice', nginx.url);
    assert.equal(upstreamOf('POST', '/c/login'), simAddr, "Harbor's /c/login answered by core");
    assert.equal(upstreamOf('GET', '/api/v2.0/users/current'), simAddr);
    assert.equal(upstreamOf('GET', '/patching/api/v1/'), adapterAddr);
    const cookies = await context.cookies(nginx.url);
    assert.ok(
      cookies.some((c) => c.name === 'sid'),
      `Harbor's session cookie on the one origin: ${cookies.map((c) => c.name)}`,
    );

    // A policy saved from the modal: the portal's POST carries Harbor's CSRF token and nginx's origin.
    const posted = page.waitForRequest(
      (r) => r.method() === 'POST' && new URL(r.url()).pathname === '/patching/api/v1/projects/library/policies',
    );
    await page.goto(`${nginx.url}/patching/projects/library/policies`);
    await page.click('#new-policy');
    await page.waitForSelector('#policy-modal');
    await page.fill('#policy-name', 'behind-nginx');
    await page.fill('#filter-repository', 'library/nginx-sample-*');
    await page.click('#policy-save');
    await page.waitForSelector('#policy-modal', { state: 'detached' });
    await page.locator('clr-dg-row[data-policy="behind-nginx"]').waitFor();
    const request = await posted;
    assert.ok(request.headers()['x-harbor-csrf-token'], 'the save carries X-Harbor-CSRF-Token');
    assert.equal(upstreamOf('POST', '/patching/api/v1/projects/library/policies'), adapterAddr);

    // The same session from another origin is refused even through nginx.
    const forged = await page.request.post(`${nginx.url}/patching/api/v1/projects/library/policies`, {
      headers: { Origin: 'http://attacker.example', 'X-Harbor-CSRF-Token': 'x', 'Content-Type': 'application/json' },
      data: { name: 'forged' },
    });
    assert.equal(forged.status(), 403);

    await page.goto(`${nginx.url}/patching/projects/library/artifacts/${name}`);
    const row = page.locator('clr-dg-row[data-artifact="1.0"]');
    await row.waitFor();
    await row.locator('input[type="radio"]').check({ force: true });
    await page.click('#patch-artifact');
    await page.waitForURL(/\/executions\/\d+\/tasks\/\d+$/);
    assert.ok(page.url().startsWith(`${nginx.url}/patching/`), page.url());
    await page.waitForSelector(
      '#task-status [data-status="Success"], #task-status [data-status="Error"], #task-status [data-status="Skipped"]',
      { timeout: 600_000 },
    );
    const status = await page.locator('#task-status [data-status]').getAttribute('data-status');
    const reason = (await page.locator('#task-reason').count()) ? await page.textContent('#task-reason') : '';
    assert.equal(status, 'Success', `task ended ${status}: ${reason}`);
    assert.match((await page.textContent('#task-patched-tag')) ?? '', /^1\.0-patched/);
    // copa's log, read with the session through nginx.
    const logUrl = new URL((await page.getAttribute('#task-log', 'href')) ?? '', page.url());
    assert.equal(logUrl.origin, nginx.url);
    const log = await page.request.get(logUrl.href);
    assert.equal(log.status(), 200);
    assert.ok((await log.text()).length > 0, 'the task log has content');
    assert.equal(upstreamOf('GET', logUrl.pathname), adapterAddr);
    await page.screenshot({ path: join(screenshotDir, 'behind-nginx-task.png') });
    await context.close();
  });
});
