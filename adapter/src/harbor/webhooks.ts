/**
 * The project's Harbor webhook policy that delivers scan and push events to this service.
 * It is recognised by its name; the project's webhook credential travels only in `auth_header` and is never returned.
 */
import type { HarborClient } from './client';

export const WEBHOOK_POLICY_NAME = 'harbor-patching';
export const WEBHOOK_EVENT_TYPES = [
  'SCANNING_COMPLETED',
  'SCANNING_FAILED',
  'SCANNING_STOPPED',
  'PUSH_ARTIFACT',
] as const;

export interface HarborWebhookTarget {
  type?: string;
  address?: string;
  auth_header?: string;
  skip_cert_verify?: boolean;
  payload_format?: string;
}

export interface HarborWebhookPolicy {
  id?: number;
  name?: string;
  description?: string;
  project_id?: number;
  targets?: HarborWebhookTarget[];
  event_types?: string[];
  enabled?: boolean;
  creator?: string;
  creation_time?: string;
  update_time?: string;
}

const base = (project: string) => `/projects/${encodeURIComponent(project)}/webhook/policies`;
const byName = { 'X-Is-Resource-Name': 'true' };

/** This service's webhook policy in the project, if registered. */
export async function findPatchingWebhook(
  client: HarborClient,
  project: string,
): Promise<HarborWebhookPolicy | undefined> {
  for (let page = 1; page <= 20; page++) {
    const batch = await client.get<HarborWebhookPolicy[]>(base(project), {
      headers: byName,
      query: { page, page_size: 100 },
    });
    if (!Array.isArray(batch)) return undefined;
    const found = batch.find((p) => p.name === WEBHOOK_POLICY_NAME);
    if (found) return found;
    if (batch.length < 100) return undefined;
  }
  return undefined;
}

/** The path a target delivers to ('' for an address that is no URL). */
function pathOf(address: string | undefined): string {
  try {
    return new URL(address ?? '').pathname;
  } catch {
    return '';
  }
}

/** This service's target in a policy: the one delivering to the receiver path of `address`. */
export function findOurTarget(p: HarborWebhookPolicy, address: string): HarborWebhookTarget | undefined {
  return p.targets?.find((t) => pathOf(t.address) === pathOf(address));
}

/**
 * Harbor's PUT stores its body as the whole record (what it leaves out is reset: `creation_time` becomes
 * 0001-01-01). So an update is the policy as Harbor returned it with only what this service owns changed: its
 * own target (address, auth header, Default payload), its event types added, and enabled (registering is
 * asking for events). Other targets and event types, the description, creator and times stay as they are.
 */
export function updatedPolicy(existing: HarborWebhookPolicy, ours: HarborWebhookTarget): HarborWebhookPolicy {
  const targets = existing.targets ?? [];
  const mine = findOurTarget(existing, ours.address ?? '');
  return {
    ...existing,
    targets: mine ? targets.map((t) => (t === mine ? { ...t, ...ours } : t)) : [...targets, ours],
    event_types: [...new Set([...(existing.event_types ?? []), ...WEBHOOK_EVENT_TYPES])],
    enabled: true,
  };
}

/** Creates the webhook policy, or updates this service's part of it. Returns it as Harbor stores it. */
export async function upsertPatchingWebhook(
  client: HarborClient,
  project: string,
  target: { address: string; authHeader: string; skipCertVerify?: boolean },
): Promise<{ policy: HarborWebhookPolicy; created: boolean }> {
  const ours: HarborWebhookTarget = {
    type: 'http',
    address: target.address,
    auth_header: target.authHeader,
    payload_format: 'Default',
    ...(target.skipCertVerify !== undefined ? { skip_cert_verify: target.skipCertVerify } : {}),
  };
  const existing = await findPatchingWebhook(client, project);
  if (existing?.id !== undefined) {
    await client.request('PUT', `${base(project)}/${existing.id}`, {
      headers: byName,
      body: updatedPolicy(existing, ours),
    });
  } else {
    await client.request('POST', base(project), {
      headers: byName,
      body: {
        name: WEBHOOK_POLICY_NAME,
        description: 'Sends scan and push events to the image patching service (harbor-patching).',
        enabled: true,
        event_types: [...WEBHOOK_EVENT_TYPES],
        targets: [{ skip_cert_verify: false, ...ours }],
      },
    });
  }
  const stored = await findPatchingWebhook(client, project);
  if (!stored) throw new Error(`Harbor did not keep the webhook policy "${WEBHOOK_POLICY_NAME}" in project ${project}`);
  return { policy: stored, created: existing === undefined };
}

/** The policy as our API shows it: no auth header. */
export function publicView(p: HarborWebhookPolicy | undefined, expectedAddress: string) {
  if (!p) return { registered: false, address_matches: false, expected_address: expectedAddress };
  const target = findOurTarget(p, expectedAddress) ?? p.targets?.[0];
  return {
    registered: true,
    id: p.id ?? null,
    name: p.name ?? WEBHOOK_POLICY_NAME,
    enabled: p.enabled ?? false,
    event_types: p.event_types ?? [],
    address: target?.address ?? null,
    expected_address: expectedAddress,
    address_matches: target?.address === expectedAddress,
    has_auth_header: Boolean(target?.auth_header),
    update_time: p.update_time ?? null,
  };
}
