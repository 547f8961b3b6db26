/**
 * The project's Harbor webhook policy that delivers scan and push events to this service.
 * It is recognised by its name; the project's webhook credential travels only in `auth_header` and is never returned.
 */
import type { HarborClient } from './client';

export const WEBHOOK_POLICY_NAME = 'harbor-patching';
export const WEBHOOK_EVENT_TYPES = ['SCANNING_COMPLETED', 'PUSH_ARTIFACT'] as const;

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

/** Creates the webhook policy, or updates it in place (address, secret, events, enabled). Returns it as Harbor stores it. */
export async function upsertPatchingWebhook(
  client: HarborClient,
  project: string,
  target: { address: string; authHeader: string; skipCertVerify?: boolean },
): Promise<{ policy: HarborWebhookPolicy; created: boolean }> {
  const body: HarborWebhookPolicy = {
    name: WEBHOOK_POLICY_NAME,
    description: 'Sends scan and push events to the image patching service (harbor-patching).',
    enabled: true,
    event_types: [...WEBHOOK_EVENT_TYPES],
    targets: [
      {
        type: 'http',
        address: target.address,
        auth_header: target.authHeader,
        skip_cert_verify: target.skipCertVerify ?? false,
        payload_format: 'Default',
      },
    ],
  };
  const existing = await findPatchingWebhook(client, project);
  if (existing?.id !== undefined) {
    await client.request('PUT', `${base(project)}/${existing.id}`, {
      headers: byName,
      body: { ...body, id: existing.id },
    });
  } else {
    await client.request('POST', base(project), { headers: byName, body });
  }
  const stored = await findPatchingWebhook(client, project);
  if (!stored) throw new Error(`Harbor did not keep the webhook policy "${WEBHOOK_POLICY_NAME}" in project ${project}`);
  return { policy: stored, created: existing === undefined };
}

/** The policy as our API shows it: no auth header. */
export function publicView(p: HarborWebhookPolicy | undefined, expectedAddress: string) {
  if (!p) return { registered: false, address_matches: false, expected_address: expectedAddress };
  const target = p.targets?.[0];
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
