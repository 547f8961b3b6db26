/**
 * The one decision, made before copa, whether an artifact gets patched and, if not, why. The preview,
 * policy runs, webhook events and the patch task all ask this function, so what the preview says is
 * what a run does. It reads only what Harbor shows of the artifact (tags, type, labels, the image
 * config's labels in `extra_attrs`, the scan overview) plus, when the summary cannot decide the
 * severity threshold, the vulnerability report, and, for an artifact that would be patched, the
 * existing patched image of its tag.
 *
 * Checks, in order: no tag (NO_TAG), not an image (NOT_IMAGE), an image of another architecture than the
 * host's or an image index with no platform this host can patch (MULTI_PLATFORM), a patched tag or an image copa produced (ALREADY_PATCHED), the policy's tag
 * and label filters (FILTERED_TAG, FILTERED_LABEL), no vulnerability report (NOT_SCANNED), nothing fixable
 * at or above the threshold (NOTHING_FIXABLE), and the patched tag already made from this digest with
 * nothing fixable left (UP_TO_DATE).
 *
 * An image index is one candidate: Harbor scans each of its platform images and shows the index with
 * their reports merged, so the index reaches the threshold when any platform image does. The patch task
 * then decides platform by platform (stages/index-input.ts).
 */
import type { components } from '@harbor-patching/shared/api/generated';
import { floatingTagName } from '@harbor-patching/shared/policy/tags';
import { HarborError, type HarborClient } from '../harbor/client';
import { classifyArtifact, describeArtifactKind } from '../harbor/artifacts';
import { getArtifact, getVulnerabilities, type HarborArtifact, type VulnerabilityItem } from '../harbor/repositories';
import { decideFromReport, decideFromSummary, scanFacts, type ScanFacts } from '../policies/threshold';
import { isPatchedTag, type CompiledPolicyFilters } from '../policies/filters';
import { hostArchitecture, indexReferences, unsupportedIndex } from './platforms';

type ExclusionReason = components['schemas']['ExclusionReason'];

/** Skips decided before copa; their codes are task reasons too (reasons.ts). */
export const SKIP_REASONS = [
  'NO_TAG',
  'NOT_IMAGE',
  'MULTI_PLATFORM',
  'ALREADY_PATCHED',
  'NOT_SCANNED',
  'NOTHING_FIXABLE',
  'UP_TO_DATE',
] as const satisfies readonly ExclusionReason[]; // each is an ExclusionReason of the API document
export type SkipReason = (typeof SKIP_REASONS)[number];
/** Left out by a policy's filters (never a task). */
export type FilterReason = 'FILTERED_TAG' | 'FILTERED_LABEL';

/** copa writes the source image reference into this label of the patched image's config. */
export const BASE_IMAGE_LABEL = 'BaseImage';
/** copa annotates the image index it pushes with this (pkg/patch/manifest.go). */
export const COPA_INDEX_ANNOTATION = 'sh.copa.patched';

export interface ExistingPatch {
  tag: string;
  digest: string;
}

export type Decision =
  | {
      kind: 'patch';
      /** The tag the patched tag is named after. */
      tag: string;
      /** Every original tag of the artifact (that the filters accept, for a policy). */
      tags: string[];
      labels: string[];
      /** Undefined when deciding without a report (a project without a scanner, comprehensive mode). */
      scan?: ScanFacts;
    }
  | {
      kind: 'skip';
      reason: SkipReason | FilterReason;
      /** A sentence a person can act on. */
      message: string;
      tag?: string;
      /** UP_TO_DATE: the patched image that is already there. */
      existing?: ExistingPatch;
    };

export interface DecisionInput {
  harbor: HarborClient;
  project: string;
  /** Without the project. */
  repository: string;
  /** As Harbor lists it: with tags, labels, extra_attrs and scan overview. */
  artifact: HarborArtifact;
  /** The severity threshold ("None" takes every fixable vulnerability) and the patched tag suffix. */
  options: { severity_threshold: string; tag_suffix: string };
  /** The tag asked for (ad-hoc patch by tag, a queued task); otherwise the newest original tag passing the filters. */
  tag?: string | null;
  /** A policy's tag and label filters (the repository filter is applied before). */
  filters?: Pick<CompiledPolicyFilters, 'tag' | 'labels'>;
  /** The artifact's vulnerability report, when the caller has read it already. */
  vulnerabilities?: VulnerabilityItem[];
  /** The project has no scanner: decide everything that needs no report, and patch (comprehensive mode). */
  withoutReport?: boolean;
  /** The artifact tagged `tag` in the repository (the existing patched image), or undefined. */
  findTagged?: (tag: string) => Promise<HarborArtifact | undefined>;
  /** Called once per Harbor request made (for counting). */
  onRequest?: () => void;
}

/** The BaseImage label of an image, as Harbor shows its config (`extra_attrs.config.Labels`). */
export function baseImageOf(a: HarborArtifact): string | undefined {
  const config = a.extra_attrs?.config as
    { Labels?: Record<string, string> | null; labels?: Record<string, string> | null } | undefined;
  // Harbor decodes the config with Go's case-insensitive JSON, so copa's lower-case `labels` lands in `Labels`.
  return config?.Labels?.[BASE_IMAGE_LABEL] ?? config?.labels?.[BASE_IMAGE_LABEL] ?? undefined;
}

/**
 * Whether copa's BaseImage label (`<registry>/<project>/<repository>@<digest>`) names this very source:
 * the same repository and digest. The one rule for "already patched from this image" and for overwriting.
 */
export function isPatchOf(baseImage: string | undefined, fullRepositoryName: string, sourceDigest: string): boolean {
  return Boolean(baseImage?.endsWith(`/${fullRepositoryName}@${sourceDigest}`));
}

/** Looks a tag up through Harbor (one request); undefined when no artifact has it. */
export function findTaggedThroughHarbor(
  harbor: HarborClient,
  fullRepositoryName: string,
  onRequest?: () => void,
): (tag: string) => Promise<HarborArtifact | undefined> {
  return async (tag) => {
    try {
      return await getArtifact(harbor, fullRepositoryName, tag, onRequest);
    } catch (err) {
      if (err instanceof HarborError && err.status === 404) return undefined;
      throw err;
    }
  };
}

export async function decideArtifact(input: DecisionInput): Promise<Decision> {
  const { artifact, options, project, repository } = input;
  const full = `${project}/${repository}`;
  const short = `${full}@${artifact.digest.slice(0, 19)}`;
  const allTags = (artifact.tags ?? []).map((t) => t.name);
  const skip = (reason: SkipReason | FilterReason, message: string, tag?: string): Decision => ({
    kind: 'skip',
    reason,
    message,
    tag,
  });

  if (allTags.length === 0 && !input.tag) {
    return skip('NO_TAG', `${short} has no tag; patched images are named after the source tag, so tag it first.`);
  }
  const kind = classifyArtifact(artifact);
  if (kind === 'other') {
    return skip(
      'NOT_IMAGE',
      `${short} is ${describeArtifactKind(artifact)}, not a container image; only images can be patched.`,
    );
  }
  const arch = artifact.extra_attrs?.architecture;
  if (kind === 'image' && typeof arch === 'string' && arch && arch !== hostArchitecture()) {
    return skip(
      'MULTI_PLATFORM',
      `${short} is a linux/${arch} image; copa patches a single-platform image only for this host's platform (linux/${hostArchitecture()}). Patch the image index it belongs to instead.`,
    );
  }
  if (kind === 'index') {
    const unsupported = unsupportedIndex(artifact.references);
    if (unsupported) {
      return skip(
        'MULTI_PLATFORM',
        `${short} is a multi-platform image index that cannot be patched here: ${unsupported}. Patch its single-platform images instead.`,
      );
    }
  }

  if (input.tag && isPatchedTag(input.tag, options)) {
    return skip(
      'ALREADY_PATCHED',
      `${full}:${input.tag} is itself a patched image; patching always starts from the original tag instead.`,
      input.tag,
    );
  }
  const originals = allTags.filter((t) => !isPatchedTag(t, options));
  if (!input.tag && originals.length === 0) {
    return skip(
      'ALREADY_PATCHED',
      `${full}:${allTags[0]} is itself a patched image; patching always starts from the original tag instead.`,
      allTags[0],
    );
  }
  const tags = input.filters ? originals.filter((t) => input.filters!.tag(t)) : originals;
  if (!input.tag && tags.length === 0) {
    return skip('FILTERED_TAG', `No tag of ${short} (${originals.join(', ')}) passes the tag filters.`);
  }
  const tag = input.tag ?? newestTag(artifact, tags);
  const ref = `${full}:${tag}`;
  const labels = (artifact.labels ?? []).map((l) => l.name);
  if (input.filters && !input.filters.labels(labels)) {
    return skip('FILTERED_LABEL', `The labels of ${ref} do not pass the label filters.`, tag);
  }
  if (kind === 'index' && artifact.annotations?.[COPA_INDEX_ANNOTATION]) {
    return skip('ALREADY_PATCHED', `${ref} is an image index copa produced; patch the original index instead.`, tag);
  }
  const base = kind === 'index' ? await indexBaseImage(input, artifact) : baseImageOf(artifact);
  if (base) {
    return skip('ALREADY_PATCHED', `${ref} was produced by patching ${base}; patch the original image instead.`, tag);
  }
  if (input.withoutReport) return { kind: 'patch', tag, tags, labels };

  const scan = scanFacts(artifact.scan_overview);
  if (!scan) {
    return skip('NOT_SCANNED', `${ref} has no vulnerability report yet; scan it in Harbor first.`, tag);
  }
  if (scan.scan_status !== 'Success') {
    return skip(
      'NOT_SCANNED',
      `The last vulnerability scan of ${ref} is ${scan.scan_status}, not Success; scan it again in Harbor.`,
      tag,
    );
  }
  const threshold = options.severity_threshold;
  const reaching = await reachesThreshold(input, artifact, scan, input.vulnerabilities);
  if (!reaching) {
    if (scan.total === 0) return skip('NOTHING_FIXABLE', `${ref} has no known vulnerabilities: nothing to patch.`, tag);
    const at = threshold === 'None' ? '' : ` at or above ${threshold}`;
    const below = threshold !== 'None' && scan.fixable > 0 ? ` (${scan.fixable} fixable below that)` : '';
    return skip(
      'NOTHING_FIXABLE',
      `${ref} has ${scan.total} known vulnerabilities but none${at} has a fixed package version yet${below}: nothing to patch.`,
      tag,
    );
  }

  const patchedTag = floatingTagName(tag, options.tag_suffix);
  const existing = input.findTagged ? await input.findTagged(patchedTag) : undefined;
  const existingBase =
    existing && classifyArtifact(existing) === 'index'
      ? await indexBaseImage(input, existing)
      : existing && baseImageOf(existing);
  if (existing && isPatchOf(existingBase, full, artifact.digest)) {
    const facts = scanFacts(existing.scan_overview);
    if (facts?.scan_status === 'Success' && !(await reachesThreshold(input, existing, facts))) {
      return {
        kind: 'skip',
        reason: 'UP_TO_DATE',
        message: `${full}:${patchedTag} was already patched from this image and has nothing fixable left.`,
        tag,
        existing: { tag: patchedTag, digest: existing.digest },
      };
    }
  }
  return { kind: 'patch', tag, tags, labels, scan };
}

/**
 * copa's BaseImage label of an image index: an index has no config, but copa writes the source index
 * (`<registry>/<repository>@<index digest>`) into each platform image it patches. Read from the first
 * platform image (one request).
 */
async function indexBaseImage(input: DecisionInput, index: HarborArtifact): Promise<string | undefined> {
  const first = indexReferences(index.references)[0];
  if (!first) return undefined;
  try {
    const child = await getArtifact(
      input.harbor,
      `${input.project}/${input.repository}`,
      first.child_digest,
      input.onRequest,
    );
    return baseImageOf(child);
  } catch (err) {
    if (err instanceof HarborError && err.status === 404) return undefined;
    throw err;
  }
}

/** Whether a fixable vulnerability reaches the threshold: from the summary, or from the report when it cannot tell. */
async function reachesThreshold(
  input: DecisionInput,
  artifact: HarborArtifact,
  scan: ScanFacts,
  known?: VulnerabilityItem[],
): Promise<boolean> {
  const threshold = input.options.severity_threshold;
  let decision = known ? decideFromReport(known, threshold) : decideFromSummary(scan, threshold);
  if (decision.kind === 'NEED_REPORT') {
    const vulns = await getVulnerabilities(
      input.harbor,
      `${input.project}/${input.repository}`,
      artifact.digest,
      input.onRequest,
    );
    decision = vulns ? decideFromReport(vulns, threshold) : { kind: 'NOTHING_FIXABLE' };
  }
  return decision.kind === 'candidate';
}

/** The most recently pushed of `names` among the artifact's tags. */
function newestTag(artifact: HarborArtifact, names: string[]): string {
  const byPush = [...(artifact.tags ?? [])]
    .filter((t) => names.includes(t.name))
    .sort((a, b) => (b.push_time ?? '').localeCompare(a.push_time ?? '') || a.name.localeCompare(b.name));
  return byPush[0]?.name ?? names[0];
}
