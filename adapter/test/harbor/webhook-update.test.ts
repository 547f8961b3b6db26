/**
 * Registering the service's webhook policy when it already exists: Harbor's PUT replaces the whole record, so
 * the service sends the policy as Harbor returned it with only its own part changed. Against the stand-in,
 * whose PUT behaves like Harbor's (what the body leaves out is reset).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HarborSim } from '@harbor-patching/harbor-sim';
import { upsertPatchingWebhook, WEBHOOK_POLICY_NAME, type HarborWebhookPolicy } from '../../src/harbor/webhooks';
import { robotClient, startSim, uniqueProject } from '../policies/fixtures';

let sim: HarborSim;
const admin = `Basic ${Buffer.from('admin:Harbor12345').toString('base64')}`;

before(async () => {
  sim = await startSim();
});
after(async () => {
  await sim?.close();
});

async function harbor<T>(project: string, path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${sim.url}/api/v2.0/projects/${project}${path}`, {
    ...init,
    headers: { authorization: admin, 'content-type': 'application/json', 'x-is-resource-name': 'true' },
  });
  assert.ok(res.ok, `${init.method ?? 'GET'} ${path}: ${res.status} ${await res.clone().text()}`);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

const ours = (policies: HarborWebhookPolicy[]) => policies.find((p) => p.name === WEBHOOK_POLICY_NAME)!;

/** A new project whose admin made the service's policy by hand, as `policy` (named harbor-patching). */
async function projectWithPolicy(prefix: string, policy: HarborWebhookPolicy): Promise<string> {
  const project = uniqueProject(prefix);
  sim.addProject(project);
  const body = JSON.stringify({ name: WEBHOOK_POLICY_NAME, ...policy });
  await harbor(project, '/webhook/policies', { method: 'POST', body });
  return project;
}

test("an update keeps what an admin added to the policy and its creation time; only the service's part changes", async () => {
  const project = await projectWithPolicy('hook-put', {
    description: 'ours, plus a copy to the audit system',
    enabled: false,
    event_types: ['SCANNING_COMPLETED', 'DELETE_ARTIFACT'],
    targets: [
      { type: 'http', address: 'http://old.example/patching/webhooks/harbor', auth_header: 'Bearer old' },
      { type: 'http', address: 'http://audit.example/harbor', auth_header: 'Bearer audit', skip_cert_verify: true },
    ],
  });
  const before = ours(await harbor<HarborWebhookPolicy[]>(project, '/webhook/policies'));

  const { policy, created } = await upsertPatchingWebhook(robotClient(sim), project, {
    address: 'https://new.example/patching/webhooks/harbor',
    authHeader: 'Bearer new',
  });
  assert.equal(created, false);
  const after = ours(await harbor<HarborWebhookPolicy[]>(project, '/webhook/policies'));
  assert.deepEqual(after, policy, 'answers the policy as Harbor stores it');
  assert.equal(after.id, before.id);
  assert.equal(after.creation_time, before.creation_time, 'creation_time is not reset to 0001-01-01');
  assert.equal(after.creator, before.creator);
  assert.equal(after.description, 'ours, plus a copy to the audit system');
  assert.equal(after.enabled, true, 'registering asks for events');
  assert.deepEqual([...after.event_types!].sort(), [
    'DELETE_ARTIFACT',
    'PUSH_ARTIFACT',
    'SCANNING_COMPLETED',
    'SCANNING_FAILED',
    'SCANNING_STOPPED',
  ]);
  assert.deepEqual(after.targets, [
    {
      type: 'http',
      address: 'https://new.example/patching/webhooks/harbor',
      auth_header: 'Bearer new',
      skip_cert_verify: false,
      payload_format: 'Default',
    },
    before.targets![1],
  ]);

  // Again: nothing grows.
  await upsertPatchingWebhook(robotClient(sim), project, {
    address: 'https://new.example/patching/webhooks/harbor',
    authHeader: 'Bearer new',
  });
  const again = ours(await harbor<HarborWebhookPolicy[]>(project, '/webhook/policies'));
  assert.deepEqual(again, after);
});

test("a policy without the service's target gets it added next to the others", async () => {
  const project = await projectWithPolicy('hook-add', {
    enabled: true,
    event_types: ['PUSH_ARTIFACT'],
    targets: [{ type: 'http', address: 'http://audit.example/harbor' }],
  });
  const { policy } = await upsertPatchingWebhook(robotClient(sim), project, {
    address: 'http://patching.example/patching/webhooks/harbor',
    authHeader: 'Bearer x',
  });
  assert.deepEqual(
    policy.targets!.map((t) => t.address),
    ['http://audit.example/harbor', 'http://patching.example/patching/webhooks/harbor'],
  );
});
