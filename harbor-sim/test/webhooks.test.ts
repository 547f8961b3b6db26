import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { startHarborSim, type HarborSim } from '../src/index';
import { debianImage, ensureRegistry, RegistryClient, unique } from '@harbor-patching/oci-testkit';
import { basic, json, waitFor } from './helpers';

let sim: HarborSim;
let receiver: Server;
let receiverUrl: string;
const received: {
  path: string;
  authorization?: string;
  body: { type: string; operator: string; event_data: Record<string, unknown> };
}[] = [];
let failuresLeft = 0;
let hang = false;
const admin = { authorization: basic('admin', 'Harbor12345') };

before(async () => {
  sim = await startHarborSim({
    registryUrl: await ensureRegistry(),
    scanDelayMs: 50,
    webhookRetryDelayMs: 20,
    webhookTimeoutMs: 300,
  });
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (hang) return; // never answers: the sender must time out
      if (failuresLeft > 0) {
        failuresLeft--;
        res.statusCode = 500;
        res.end('not now');
        return;
      }
      received.push({ path: req.url!, authorization: req.headers.authorization, body: JSON.parse(body) });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
});
after(async () => {
  receiver.closeAllConnections();
  receiver.close();
  await sim.close();
});

describe('webhooks', () => {
  test('policies API: create, read, update, delete, supported events', async () => {
    const project = unique('hooks-api');
    sim.addProject(project);
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${sim.url}/api/v2.0/projects/${project}${path}`, {
        ...init,
        headers: { ...admin, 'content-type': 'application/json' },
      });
    const events = await json<{ event_type: string[] }>(await api('/webhook/events'));
    assert.ok(events.event_type.includes('SCANNING_COMPLETED') && events.event_type.includes('PUSH_ARTIFACT'));
    const policy = {
      name: 'patcher',
      enabled: true,
      event_types: ['SCANNING_COMPLETED'],
      targets: [
        { type: 'http', address: `${receiverUrl}/x?drop=me`, auth_header: 'Bearer s3cret', skip_cert_verify: false },
      ],
    };
    const created = await api('/webhook/policies', { method: 'POST', body: JSON.stringify(policy) });
    assert.equal(created.status, 201);
    const id = created.headers.get('location')!.split('/').pop();
    const got = await json<{ targets: { address: string; payload_format: string }[] }>(
      await api(`/webhook/policies/${id}`),
    );
    assert.equal(got.targets[0].address, `${receiverUrl}/x`, 'the query is dropped like Harbor does');
    assert.equal(got.targets[0].payload_format, 'Default');
    assert.equal(
      (await api(`/webhook/policies/${id}`, { method: 'PUT', body: JSON.stringify({ ...policy, enabled: false }) }))
        .status,
      200,
    );
    assert.equal((await json<{ enabled: boolean }[]>(await api('/webhook/policies')))[0].enabled, false);
    assert.equal((await api(`/webhook/policies/${id}`, { method: 'DELETE' })).status, 200);
    assert.equal(
      (await api('/webhook/policies', { method: 'POST', body: JSON.stringify({ ...policy, targets: [] }) })).status,
      400,
    );
    sim.addUser('maint');
    sim.addMember(project, 'maint', 4);
    const denied = await fetch(`${sim.url}/api/v2.0/projects/${project}/webhook/policies`, {
      method: 'POST',
      headers: { authorization: basic('maint', 'Harbor12345'), 'content-type': 'application/json' },
      body: JSON.stringify(policy),
    });
    assert.equal(denied.status, 403, 'only project admins create webhook policies');
  });

  test("PUT replaces the whole policy like Harbor's: what the body leaves out is reset, update_time is not bumped", async () => {
    const project = unique('hooks-put');
    sim.addProject(project);
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${sim.url}/api/v2.0/projects/${project}${path}`, {
        ...init,
        headers: { ...admin, 'content-type': 'application/json' },
      });
    const created = await api('/webhook/policies', {
      method: 'POST',
      body: JSON.stringify({
        name: 'p',
        description: 'set by an admin',
        enabled: true,
        event_types: ['PUSH_ARTIFACT'],
        targets: [{ type: 'http', address: `${receiverUrl}/a` }],
      }),
    });
    const id = created.headers.get('location')!.split('/').pop();
    type Stored = {
      description: string;
      enabled: boolean;
      creation_time: string;
      update_time: string;
      creator: string;
    };
    const before = await json<Stored>(await api(`/webhook/policies/${id}`));
    assert.notEqual(before.creation_time, '0001-01-01T00:00:00.000Z');

    // Only the fields a client changes: Harbor keeps none of the others.
    const partial = {
      name: 'p',
      event_types: ['PUSH_ARTIFACT'],
      targets: [{ type: 'http', address: `${receiverUrl}/b` }],
    };
    assert.equal((await api(`/webhook/policies/${id}`, { method: 'PUT', body: JSON.stringify(partial) })).status, 200);
    const reset = await json<Stored>(await api(`/webhook/policies/${id}`));
    assert.equal(reset.creation_time, '0001-01-01T00:00:00.000Z');
    assert.equal(reset.update_time, '0001-01-01T00:00:00.000Z');
    assert.equal(reset.description, '');
    assert.equal(reset.enabled, false);
    assert.equal(reset.creator, '');

    // The full object read with GET keeps everything; update_time stays what was sent.
    const full = { ...before, targets: [{ type: 'http', address: `${receiverUrl}/c` }] };
    assert.equal((await api(`/webhook/policies/${id}`, { method: 'PUT', body: JSON.stringify(full) })).status, 200);
    const kept = await json<Stored>(await api(`/webhook/policies/${id}`));
    assert.deepEqual(
      [kept.creation_time, kept.update_time, kept.description, kept.enabled, kept.creator],
      [before.creation_time, before.update_time, 'set by an admin', true, before.creator],
    );
  });

  test('PUSH_ARTIFACT on a tagged push through /v2/, SCANNING_COMPLETED after auto-scan, with the auth header', async () => {
    const project = unique('hooks');
    sim.addProject(project, { autoScan: true });
    sim.addWebhookPolicy(project, {
      address: `${receiverUrl}/events`,
      authHeader: 'Bearer hook-secret',
      events: ['PUSH_ARTIFACT', 'SCANNING_COMPLETED'],
    });
    const client = new RegistryClient(sim.url, { username: 'admin', password: 'Harbor12345' });
    const pushed = await client.pushImage(
      `${project}/app`,
      '1.0',
      await debianImage([{ name: 'bash', version: '5.2' }]),
    );
    const push = await waitFor(
      () =>
        received.find(
          (r) =>
            r.body.type === 'PUSH_ARTIFACT' &&
            (r.body.event_data.repository as { namespace: string }).namespace === project,
        ),
      5000,
      'PUSH_ARTIFACT',
    );
    assert.equal(push.authorization, 'Bearer hook-secret');
    assert.equal(push.body.operator, 'admin');
    const resources = push.body.event_data.resources as { digest: string; tag: string; resource_url: string }[];
    assert.equal(resources[0].digest, pushed.digest);
    assert.equal(resources[0].tag, '1.0');
    assert.equal(resources[0].resource_url, `${new URL(sim.url).host}/${project}/app:1.0`);
    assert.deepEqual(push.body.event_data.repository, {
      date_created: (push.body.event_data.repository as { date_created: number }).date_created,
      name: 'app',
      namespace: project,
      repo_full_name: `${project}/app`,
      repo_type: 'private',
    });
    const scan = await waitFor(
      () =>
        received.find(
          (r) =>
            r.body.type === 'SCANNING_COMPLETED' &&
            (r.body.event_data.repository as { namespace: string }).namespace === project,
        ),
      5000,
      'SCANNING_COMPLETED',
    );
    const scanned = (scan.body.event_data.resources as { scan_overview: Record<string, { scan_status: string }> }[])[0];
    assert.equal(Object.values(scanned.scan_overview)[0].scan_status, 'Success');
    assert.deepEqual(scan.body.event_data.scan, { scan_type: 'vulnerability' });
  });

  test('failed deliveries are retried 3 times; a silent target times out', async () => {
    const project = unique('hooks-retry');
    sim.addProject(project);
    const policy = sim.addWebhookPolicy(project, {
      address: `${receiverUrl}/retry`,
      authHeader: 'Basic abc',
      events: ['PUSH_ARTIFACT'],
    });
    failuresLeft = 2;
    const client = new RegistryClient(sim.url, { username: 'admin', password: 'Harbor12345' });
    await client.pushImage(`${project}/app`, '1.0', await debianImage([]));
    await sim.waitForWebhooks();
    const attempts = sim.webhookDeliveries().filter((d) => d.policy_id === policy.id);
    assert.deepEqual(
      attempts.map((a) => [a.attempt, a.status, a.ok]),
      [
        [1, 500, false],
        [2, 500, false],
        [3, 200, true],
      ],
    );
    assert.ok(attempts.every((a) => a.authorization === 'Basic abc'));

    hang = true;
    const silent = unique('hooks-silent');
    sim.addProject(silent);
    const silentPolicy = sim.addWebhookPolicy(silent, { address: `${receiverUrl}/silent`, events: ['PUSH_ARTIFACT'] });
    await client.pushImage(`${silent}/app`, '1.0', await debianImage([]));
    await sim.waitForWebhooks();
    hang = false;
    const tries = sim.webhookDeliveries().filter((d) => d.policy_id === silentPolicy.id);
    assert.equal(tries.length, 4, 'one attempt and three retries');
    assert.ok(tries.every((t) => !t.ok && /no answer within 300 ms/.test(t.error ?? '')));
  });
});
