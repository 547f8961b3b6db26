/**
 * Harbor webhook payloads (Default and CloudEvents formats) reduced to what the triggers need,
 * and the shared-secret check of the Authorization header.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export type HarborEventType = 'SCANNING_COMPLETED' | 'PUSH_ARTIFACT';

export interface ArtifactEvent {
  type: HarborEventType;
  project: string;
  /** Without the project, e.g. "team/app". */
  repository: string;
  digest?: string;
  tag?: string;
  /** For scan events: "vulnerability" or "sbom". */
  scan_type?: string;
  operator?: string;
  occur_at?: number;
}

const CLOUDEVENT_TYPES: Record<string, HarborEventType> = {
  'harbor.scan.completed': 'SCANNING_COMPLETED',
  'harbor.artifact.pushed': 'PUSH_ARTIFACT',
};

export type ParsedEvent =
  { ok: true; event: ArtifactEvent } | { ok: false; ignored: string } | { ok: false; invalid: string };

/** A non-empty string field of a payload object, or undefined (payload fields are never trusted to be strings). */
function text(obj: unknown, key: string): string | undefined {
  const v = obj && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

interface EventData {
  resources?: unknown;
  repository?: unknown;
  scan?: unknown;
}

/** Reads a delivered payload. Events of other types are `ignored`; malformed ones are `invalid`. */
export function parseHarborEvent(body: unknown): ParsedEvent {
  if (!body || typeof body !== 'object') return { ok: false, invalid: 'the body is not a JSON object' };
  const b = body as Record<string, unknown>;
  let type: string | undefined;
  let data: EventData | undefined;
  let operator: string | undefined;
  let occurAt: number | undefined;
  if (typeof b.specversion === 'string') {
    type = CLOUDEVENT_TYPES[String(b.type)] ?? String(b.type);
    data = b.data as EventData | undefined;
    operator = typeof b.operator === 'string' ? b.operator : undefined;
    occurAt = typeof b.time === 'string' ? Math.floor(Date.parse(b.time) / 1000) : undefined;
  } else {
    type = typeof b.type === 'string' ? b.type : undefined;
    data = b.event_data as EventData | undefined;
    operator = typeof b.operator === 'string' ? b.operator : undefined;
    occurAt = typeof b.occur_at === 'number' ? b.occur_at : undefined;
  }
  if (!type) return { ok: false, invalid: 'the event has no type' };
  if (type !== 'SCANNING_COMPLETED' && type !== 'PUSH_ARTIFACT')
    return { ok: false, ignored: `event type ${type} is not used` };
  const repo = data?.repository;
  const namespace = text(repo, 'namespace');
  const name = text(repo, 'name');
  const full = text(repo, 'repo_full_name') ?? (namespace && name ? `${namespace}/${name}` : undefined);
  if (!full || !full.includes('/'))
    return { ok: false, invalid: 'the event names no repository (event_data.repository)' };
  const slash = full.indexOf('/');
  const resource = Array.isArray(data?.resources) ? data.resources[0] : undefined;
  const digest = text(resource, 'digest');
  const rawTag = text(resource, 'tag');
  if (!digest && !rawTag) {
    return { ok: false, invalid: 'the event names no artifact (event_data.resources[0].digest)' };
  }
  // For a push without tag, Harbor puts the digest in `tag`.
  const tag = rawTag && !rawTag.startsWith('sha256:') ? rawTag : undefined;
  return {
    ok: true,
    event: {
      type,
      project: namespace ?? full.slice(0, slash),
      repository: full.slice(slash + 1),
      digest,
      tag,
      scan_type: text(data?.scan, 'scan_type'),
      operator,
      occur_at: occurAt,
    },
  };
}

const digestOf = (s: string) => createHash('sha256').update(s).digest();

/**
 * Whether the Authorization header carries the shared secret, as `<secret>` or `Bearer <secret>`
 * (Harbor sends the webhook policy's `auth_header` verbatim). Constant time in the secret's content.
 */
export function webhookAuthorized(header: string | undefined, secret: string | undefined): boolean {
  if (!secret || !header) return false;
  const value = header.replace(/^Bearer\s+/i, '').trim();
  // Comparing fixed-length digests keeps the comparison constant-time whatever the lengths.
  return timingSafeEqual(digestOf(value), digestOf(secret));
}

/** The Authorization value registered in Harbor's webhook policy. */
export function webhookAuthHeader(secret: string): string {
  return `Bearer ${secret}`;
}
