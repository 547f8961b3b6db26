/**
 * Policy evaluation: walks a project's repositories and artifacts through Harbor, page by page,
 * and says for every artifact whether the policy would patch it now, or why not.
 */
import { classifyArtifact } from '../harbor/artifacts';
import type { HarborClient } from '../harbor/client';
import {
  getVulnerabilities,
  listArtifactPages,
  listRepositoryPages,
  type HarborArtifact,
  type HarborRepository,
} from '../harbor/repositories';
import { decideFromReport, decideFromSummary, scanFacts, type ScanFacts } from './threshold';
import { compilePolicyFilters, isPatchedTag, type CompiledPolicyFilters, type EvaluablePolicy } from './filters';

export const EXCLUSION_REASONS = [
  'FILTERED_REPOSITORY',
  'UNTAGGED',
  'NOT_IMAGE',
  'PATCHED_TAG',
  'FILTERED_TAG',
  'FILTERED_LABEL',
  'NOT_SCANNED',
  'NOTHING_FIXABLE',
  'BELOW_THRESHOLD',
] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

export interface CandidateArtifact {
  /** Repository name without the project, e.g. "team/app". */
  repository: string;
  digest: string;
  /** The tag to patch (`<tag>-patched` is derived from it): the newest matching original tag. */
  tag: string;
  /** Every original (not patched) tag of the artifact that the tag filters accept. */
  tags: string[];
  labels: string[];
  vulnerabilities?: ScanFacts;
}

export type Verdict =
  | { kind: 'candidate'; artifact: CandidateArtifact }
  | {
      kind: 'excluded';
      reason: ExclusionReason;
      /** Plain-words explanation for the UI. */
      message: string;
      repository: string;
      digest?: string;
      tags?: string[];
      /** How many artifacts this verdict stands for (a filtered repository stands for all of its artifacts). */
      count: number;
    };

export interface EvaluationStats {
  repositories_total: number;
  repositories_matched: number;
  artifacts_listed: number;
  harbor_requests: number;
}

export interface EvaluateOptions {
  /** Repositories whose artifact listing runs ahead, concurrently, of the one being consumed (default 4). */
  concurrency?: number;
  /** Filled in while the walk goes on. */
  stats?: EvaluationStats;
}

export function newStats(): EvaluationStats {
  return { repositories_total: 0, repositories_matched: 0, artifacts_listed: 0, harbor_requests: 0 };
}

function shortName(fullName: string, project: string): string {
  return fullName.startsWith(`${project}/`) ? fullName.slice(project.length + 1) : fullName;
}

function labelNames(a: HarborArtifact): string[] {
  return (a.labels ?? []).map((l) => l.name);
}

/**
 * The decision for one artifact of a repository that passed the repository filters. Reads the
 * full vulnerability report only when the scan summary cannot decide the threshold.
 */
export async function judgeArtifact(
  client: HarborClient,
  project: string,
  repository: string,
  artifact: HarborArtifact,
  policy: EvaluablePolicy,
  filters: CompiledPolicyFilters,
  stats: EvaluationStats,
): Promise<Verdict> {
  const allTags = (artifact.tags ?? []).map((t) => t.name);
  const excluded = (reason: ExclusionReason, message: string): Verdict => ({
    kind: 'excluded',
    reason,
    message,
    repository,
    digest: artifact.digest,
    tags: allTags,
    count: 1,
  });
  if (allTags.length === 0)
    return excluded('UNTAGGED', 'The artifact has no tag, so there is no "<tag>-patched" to produce.');
  if (classifyArtifact(artifact) === 'other') {
    const kind =
      artifact.type && artifact.type.toUpperCase() !== 'IMAGE' ? artifact.type.toLowerCase() : 'non-image artifact';
    return excluded('NOT_IMAGE', `The artifact is a ${kind}, not a container image.`);
  }
  const originals = allTags.filter((t) => !isPatchedTag(t, policy));
  if (originals.length === 0) {
    return excluded('PATCHED_TAG', 'The artifact was produced by patching; patches always start from the original.');
  }
  const tags = originals.filter((t) => filters.tag(t));
  if (tags.length === 0) return excluded('FILTERED_TAG', 'No tag of the artifact passes the tag filters.');
  const labels = labelNames(artifact);
  if (!filters.labels(labels))
    return excluded('FILTERED_LABEL', "The artifact's labels do not pass the label filters.");

  const facts = scanFacts(artifact.scan_overview);
  if (!facts) return excluded('NOT_SCANNED', 'The artifact has no vulnerability report yet; scan it first.');
  if (facts.scan_status !== 'Success') {
    return excluded('NOT_SCANNED', `The artifact's last scan is ${facts.scan_status}, not Success; scan it again.`);
  }
  let decision = decideFromSummary(facts, policy.severity_threshold);
  if (decision.kind === 'NEED_REPORT') {
    const fullName = `${project}/${repository}`;
    const vulns = await getVulnerabilities(client, fullName, artifact.digest, () => stats.harbor_requests++);
    decision = vulns ? decideFromReport(vulns, policy.severity_threshold) : { kind: 'NOTHING_FIXABLE' };
  }
  switch (decision.kind) {
    case 'NOTHING_FIXABLE':
      return excluded('NOTHING_FIXABLE', `None of the ${facts.total} vulnerabilities has a fix available.`);
    case 'BELOW_THRESHOLD':
      return excluded(
        'BELOW_THRESHOLD',
        `No fixable vulnerability is ${policy.severity_threshold} or more severe (${facts.fixable} fixable below that).`,
      );
    default: {
      // Harbor lists tags newest first within an artifact only by push time; prefer the newest pushed one.
      const byPush = [...(artifact.tags ?? [])]
        .filter((t) => tags.includes(t.name))
        .sort((a, b) => (b.push_time ?? '').localeCompare(a.push_time ?? '') || a.name.localeCompare(b.name));
      return {
        kind: 'candidate',
        artifact: {
          repository,
          digest: artifact.digest,
          tag: byPush[0]?.name ?? tags[0],
          tags,
          labels,
          vulnerabilities: facts,
        },
      };
    }
  }
}

/** Full reports fetched at once per repository being walked. */
const REPORT_CONCURRENCY = 4;

/** `fn` over `items` with at most `limit` calls in flight; results in input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

async function* evaluateRepository(
  client: HarborClient,
  project: string,
  repo: HarborRepository,
  policy: EvaluablePolicy,
  filters: CompiledPolicyFilters,
  stats: EvaluationStats,
): AsyncGenerator<Verdict> {
  const repository = shortName(repo.name, project);
  let listed = 0;
  // tags=* lets Harbor leave untagged artifacts out: they cannot be patched to "<tag>-patched".
  for await (const page of listArtifactPages(client, repo.name, {
    q: 'tags=*',
    onRequest: () => stats.harbor_requests++,
  })) {
    listed += page.length;
    stats.artifacts_listed += page.length;
    // Judged together: the few that need their full report fetch it concurrently.
    const verdicts = await mapLimit(page, REPORT_CONCURRENCY, (artifact) =>
      judgeArtifact(client, project, repository, artifact, policy, filters, stats),
    );
    yield* verdicts;
  }
  const untagged = (repo.artifact_count ?? listed) - listed;
  if (untagged > 0) {
    yield {
      kind: 'excluded',
      reason: 'UNTAGGED',
      message: 'Untagged artifacts have no tag to derive "<tag>-patched" from.',
      repository,
      count: untagged,
    };
  }
}

/**
 * Every artifact of the project with the policy's verdict, in repository order. Artifact pages of
 * the next few repositories are fetched while the current one is consumed; memory stays bounded
 * by (concurrency x page size).
 */
export async function* evaluatePolicy(
  client: HarborClient,
  project: string,
  policy: EvaluablePolicy,
  opts: EvaluateOptions = {},
): AsyncGenerator<Verdict> {
  const stats = opts.stats ?? newStats();
  const ahead = Math.max(1, opts.concurrency ?? 4);
  const filters = compilePolicyFilters(policy);

  type Running = { gen: AsyncGenerator<Verdict>; next: Promise<IteratorResult<Verdict>> };
  const window: Running[] = [];
  const start = (gen: AsyncGenerator<Verdict>) => {
    const next = gen.next();
    next.catch(() => undefined); // surfaced when this generator's turn comes
    window.push({ gen, next });
  };

  async function* drain(): AsyncGenerator<Verdict> {
    const head = window[0];
    for (;;) {
      const res = await head.next;
      if (res.done) break;
      head.next = head.gen.next();
      head.next.catch(() => undefined);
      yield res.value;
    }
    window.shift();
  }

  try {
    for await (const page of listRepositoryPages(client, project, { onRequest: () => stats.harbor_requests++ })) {
      for (const repo of page) {
        stats.repositories_total++;
        const repository = shortName(repo.name, project);
        if (!filters.repository(repository, repo.name)) {
          yield {
            kind: 'excluded',
            reason: 'FILTERED_REPOSITORY',
            message: 'The repository does not pass the repository filters.',
            repository,
            count: repo.artifact_count ?? 0,
          };
          continue;
        }
        stats.repositories_matched++;
        start(evaluateRepository(client, project, repo, policy, filters, stats));
        while (window.length >= ahead) yield* drain();
      }
    }
    while (window.length > 0) yield* drain();
  } finally {
    for (const r of window) await r.gen.return(undefined).catch(() => undefined);
  }
}
