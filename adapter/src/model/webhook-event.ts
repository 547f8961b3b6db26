/**
 * Harbor webhook payloads (Default and CloudEvents formats) reduced to what the triggers need: one
 * ArtifactEvent per entry of `resources[]`. Every name and digest is checked against Harbor's grammar
 * here, before anything is stored or sent to Harbor; nothing is normalised into another name.
 */
import { isDigest, isTag, splitRepositoryName } from '@harbor-patching/shared/harbor/names';

/** The events this service reads. SCANNING_FAILED and SCANNING_STOPPED only end waits for a scan. */
export type HarborEventType = 'SCANNING_COMPLETED' | 'SCANNING_FAILED' | 'SCANNING_STOPPED' | 'PUSH_ARTIFACT';
const READ_TYPES: readonly string[] = ['SCANNING_COMPLETED', 'SCANNING_FAILED', 'SCANNING_STOPPED', 'PUSH_ARTIFACT'];

export interface ArtifactEvent {
  type: HarborEventType;
  project: string;
  /**
   * The project's Harbor id, checked at receipt against the webhook credential. Events stored before
   * per-project credentials have none and are dropped.
   */
  project_id?: number;
  /** Without the project, e.g. "team/app". */
  repository: string;
  digest: string;
  tag?: string;
  /** For scan events: "vulnerability" or "sbom". */
  scan_type?: string;
  operator?: string;
  occur_at?: number;
}

const CLOUDEVENT_TYPES: Record<string, HarborEventType> = {
  'harbor.scan.completed': 'SCANNING_COMPLETED',
  'harbor.scan.failed': 'SCANNING_FAILED',
  'harbor.scan.stopped': 'SCANNING_STOPPED',
  'harbor.artifact.pushed': 'PUSH_ARTIFACT',
};

/** The artifacts one delivery names, all in the same project. */
export interface ParsedDelivery {
  type: HarborEventType;
  project: string;
  events: ArtifactEvent[];
}

export type ParsedEvent =
  | { ok: true; delivery: ParsedDelivery }
  | { ok: false; ignored: string }
  | { ok: false; invalid: string; field?: string };

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

const invalid = (message: string, field?: string): ParsedEvent => ({ ok: false, invalid: message, field });

/** Reads a delivered payload. Events of other types are `ignored`; malformed ones are `invalid`, naming the field. */
export function parseHarborEvent(body: unknown): ParsedEvent {
  if (!body || typeof body !== 'object') return invalid('the body is not a JSON object');
  const b = body as Record<string, unknown>;
  let type: string | undefined;
  let data: EventData | undefined;
  let dataKey: string;
  let occurAt: number | undefined;
  if (typeof b.specversion === 'string') {
    type = CLOUDEVENT_TYPES[String(b.type)] ?? String(b.type);
    data = b.data as EventData | undefined;
    dataKey = 'data';
    occurAt = typeof b.time === 'string' ? Math.floor(Date.parse(b.time) / 1000) : undefined;
  } else {
    type = typeof b.type === 'string' ? b.type : undefined;
    data = b.event_data as EventData | undefined;
    dataKey = 'event_data';
    occurAt = typeof b.occur_at === 'number' ? b.occur_at : undefined;
  }
  const operator = typeof b.operator === 'string' ? b.operator : undefined;
  if (!type) return invalid('the event has no type', 'type');
  if (!READ_TYPES.includes(type)) return { ok: false, ignored: `event type ${type} is not used` };

  const repo = data?.repository;
  const namespace = text(repo, 'namespace');
  const name = text(repo, 'name');
  const fullField = `${dataKey}.repository.repo_full_name`;
  const full = text(repo, 'repo_full_name') ?? (namespace && name ? `${namespace}/${name}` : undefined);
  if (!full) return invalid(`the event names no repository (${dataKey}.repository)`, `${dataKey}.repository`);
  const split = splitRepositoryName(full);
  if (!split) {
    return invalid(
      `${fullField}: "${full}" is not a Harbor repository name (project/repository, lower case, no empty or dot-only parts)`,
      fullField,
    );
  }
  if ((namespace !== undefined && namespace !== split.project) || (name !== undefined && name !== split.repository)) {
    return invalid(
      `${dataKey}.repository: namespace "${namespace ?? ''}" and name "${name ?? ''}" disagree with repo_full_name "${full}"`,
      `${dataKey}.repository`,
    );
  }

  const resources = Array.isArray(data?.resources) ? (data.resources as unknown[]) : [];
  if (resources.length === 0) {
    return invalid(`the event names no artifact (${dataKey}.resources[0].digest)`, `${dataKey}.resources`);
  }
  const events: ArtifactEvent[] = [];
  const seen = new Set<string>();
  for (const [i, resource] of resources.entries()) {
    const at = `${dataKey}.resources[${i}]`;
    const digest = text(resource, 'digest');
    if (!digest) return invalid(`the event names no artifact (${at}.digest)`, `${at}.digest`);
    if (!isDigest(digest))
      return invalid(`${at}.digest: "${digest}" is not a digest (sha256: and 64 hex)`, `${at}.digest`);
    const rawTag = text(resource, 'tag');
    // For a push without tag, Harbor puts the digest in `tag`.
    const tag = rawTag === undefined || isDigest(rawTag) ? undefined : rawTag;
    if (tag !== undefined && !isTag(tag)) {
      return invalid(
        `${at}.tag: "${tag}" is not a tag (letters, digits, _ . -, up to 128, not starting with . or -)`,
        `${at}.tag`,
      );
    }
    const key = `${digest} ${tag ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    events.push({
      type: type as HarborEventType,
      project: split.project,
      repository: split.repository,
      digest,
      tag,
      scan_type: text(data?.scan, 'scan_type'),
      operator,
      occur_at: occurAt,
    });
  }
  return { ok: true, delivery: { type: type as HarborEventType, project: split.project, events } };
}
