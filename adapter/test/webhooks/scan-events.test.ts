/**
 * A task's wait for Harbor's scan: with the project's webhook registered it ends on Harbor's scan event
 * (SCANNING_COMPLETED or SCANNING_FAILED), without polling; without the webhook it polls; a report Harbor
 * already has is used without asking for a scan. Over the adapter, the Harbor stand-in (which delivers
 * its scan events as Harbor does) and the real registry, with tiny images (no copa).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { HarborClient } from '../../src/harbor/client';
import { scanArtifact } from '../../src/patch/context';
import { basic, SERVICE_ROBOT, startCore, type Core } from '../harness';
import { pushTinyImage, unique } from '../patch/helpers';
import { fakeContext } from '../patch/stages/fake-context';

let core: Core;
let harbor: HarborClient;
/** The URLs of the requests the task's client (the one given to the scan wait) sent. */
const sent: { method: string; url: string }[] = [];
const withHook = unique('scanhook').replace(/-/g, '');
const withoutHook = unique('scanpoll').replace(/-/g, '');

before(async () => {
  core = await startCore({ webhookSecret: 'Webhook-Secret-For-Scan-Events-1' });
  core.sim.addProject(withHook);
  core.sim.addProject(withoutHook);
  const admin = basic(core.adapter.url, 'admin');
  const res = await admin.call('POST', `/patching/api/v1/projects/${withHook}/webhook`);
  assert.equal(res.status, 201, res.text);
  harbor = new HarborClient(
    core.sim.url,
    { kind: 'basic', username: SERVICE_ROBOT.name, password: SERVICE_ROBOT.secret },
    15_000,
    (input, init) => {
      sent.push({ method: init?.method ?? 'GET', url: String(input) });
      return fetch(input, init);
    },
  );
});

after(() => core?.close());

/**
 * A fresh tiny image in `project`; how often the scan wait read it from Harbor (the adapter's own event
 * processing reads it too, through another client), and how many scans Harbor was asked for.
 */
async function image(project: string) {
  const repository = unique('app');
  const digest = await pushTinyImage(`${project}/${repository}`, '1.0', { 'etc/app': `${repository}\n` });
  const path = `/api/v2.0/projects/${project}/repositories/${repository}/artifacts/${encodeURIComponent(digest)}`;
  const from = sent.length;
  const reads = {
    count: () => sent.slice(from).filter((r) => r.method === 'GET' && new URL(r.url).pathname === path).length,
  };
  const scans = core.sim.watchRequests(`${path}/scan`, 'POST');
  const f = fakeContext();
  Object.assign(f.ctx.task, { project, repository, source_digest: digest });
  return { digest, ctx: f.ctx, reads, scans };
}

const deps = () => ({
  harbor,
  scanTimeoutMs: 60_000,
  scanPollMs: 100,
  scanEvents: core.adapter.services.patching!.scanEvents,
});

test('with the webhook registered, the wait ends on SCANNING_COMPLETED: no polling after the first check', async () => {
  core.sim.setScanDelay(1500);
  const x = await image(withHook);
  const scan = await scanArtifact(deps(), x.ctx, x.digest);
  assert.equal(scan.state, 'done');
  assert.equal(x.scans.count(), 1, 'one scan asked for');
  // The first check (is there a report?) and the read after the event; polling every 100 ms would make ~15.
  assert.equal(x.reads.count(), 2);
  await core.sim.waitForWebhooks();
  const delivered = core.sim
    .webhookDeliveries()
    .filter((d) => d.event_type === 'SCANNING_COMPLETED' && JSON.stringify(d.payload).includes(x.digest));
  assert.equal(delivered.length, 1);
  assert.equal(delivered[0].ok, true, 'the adapter accepted the event');

  // Harbor already has the report now: it is used, no new scan is asked for.
  const again = await scanArtifact(deps(), x.ctx, x.digest);
  assert.equal(again.state, 'done');
  assert.equal(x.scans.count(), 1);
  assert.equal(x.reads.count(), 3);
});

test('with the webhook registered, SCANNING_FAILED ends the wait with the failure', async () => {
  core.sim.setScanDelay(1500);
  const x = await image(withHook);
  core.sim.failNextScan('the scanner crashed');
  const scan = await scanArtifact(deps(), x.ctx, x.digest);
  assert.deepEqual(scan, { state: 'failed', message: "Harbor's scan ended Error" });
  assert.equal(x.reads.count(), 2);
  await core.sim.waitForWebhooks();
  assert.ok(
    core.sim
      .webhookDeliveries()
      .some((d) => d.event_type === 'SCANNING_FAILED' && d.ok && JSON.stringify(d.payload).includes(x.digest)),
  );
});

test('without the webhook the wait polls Harbor until the scan ends', async () => {
  core.sim.setScanDelay(1500);
  const x = await image(withoutHook);
  const scan = await scanArtifact(deps(), x.ctx, x.digest);
  assert.equal(scan.state, 'done');
  assert.equal(x.scans.count(), 1);
  // 100, 200, 400, 800 ms ... : several reads, far fewer than a fixed 100 ms poll would make.
  assert.ok(x.reads.count() > 2, `polled ${x.reads.count()} times`);
  assert.ok(x.reads.count() < 10, `polled ${x.reads.count()} times`);
});
