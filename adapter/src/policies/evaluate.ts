/**
 * Policy evaluation: walks a project's repositories and artifacts through Harbor, page by page,
 * and says for every artifact whether the policy would patch it now, or why not. Every decision
 * comes from decideArtifact (patch/decide.ts), the same function the patch task asks, so a preview
 * and a run agree.
 */
import type { HarborClient } from '../harbor/client';
import {
  listArtifactPages,
  listRepositoryPages,
  type HarborArtifact,
  type HarborRepository,
} from '../harbor/repositories';
import {
  decideArtifact,
  findTaggedThroughHarbor,
  SKIP_REASONS,
  type FilterReason,
  type SkipReason,
} from '../patch/decide';
import type { ScanFacts } from './threshold';
import { compilePolicyFilters, isPatchedTag, type CompiledPolicyFilters, type EvaluablePolicy } from './filters';

/** Why an artifact is left out: a filter, or one of the task's skip reasons. */
export const EXCLUSION_REASONS = [
  'FILTERED_REPOSITORY',
  'FILTERED_TAG',
  'FILTERED_LABEL',
  ...SKIP_REASONS,
] as const satisfies readonly ('FILTERED_REPOSITORY' | FilterReason | SkipReason)[];
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];

export interface CandidateArtifact {
  /** Repository name without the project, e.g. "team/app". */
  repository: string;
  /** Harbor's full repository name, e.g. "library/team/app" (what the repository filter matches). */
  repository_name: string;
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
      repository_name: string;
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
  /** Artifact pages listed at a time (default 4); repositories are walked ahead of the one being consumed. */
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

/**
 * The decision for one artifact of a repository that passed the repository filters. Reads the
 * full vulnerability report only when the scan summary cannot decide the threshold.
 * `findTagged` finds the existing patched image of a candidate (default: asks Harbor).
 */
export async function judgeArtifact(
  client: HarborClient,
  project: string,
  repository: string,
  artifact: HarborArtifact,
  policy: EvaluablePolicy,
  filters: CompiledPolicyFilters,
  stats: EvaluationStats,
  findTagged?: (tag: string) => Promise<HarborArtifact | undefined>,
): Promise<Verdict> {
  const onRequest = () => stats.harbor_requests++;
  const repository_name = `${project}/${repository}`;
  const decision = await decideArtifact({
    harbor: client,
    project,
    repository,
    artifact,
    options: policy,
    filters,
    findTagged: findTagged ?? findTaggedThroughHarbor(client, repository_name, onRequest),
    onRequest,
  });
  if (decision.kind === 'skip') {
    return {
      kind: 'excluded',
      reason: decision.reason,
      message: decision.message,
      repository,
      repository_name,
      digest: artifact.digest,
      tags: (artifact.tags ?? []).map((t) => t.name),
      count: 1,
    };
  }
  return {
    kind: 'candidate',
    artifact: {
      repository,
      repository_name,
      digest: artifact.digest,
      tag: decision.tag,
      tags: decision.tags,
      labels: decision.labels,
      vulnerabilities: decision.scan,
    },
  };
}

/**
 * At most `limit` calls at a time, started in the order they asked (FIFO), so the repositories walked
 * ahead get their turn in order.
 */
class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** The walk's two kinds of Harbor requests, each with its own bound. */
interface WalkLimits {
  /** Artifact pages: `concurrency` at a time, like a plain paged listing of the project. */
  listing: Limiter;
  /** Full reports for artifacts whose scan summary cannot decide; they never hold up the listing. */
  reports: Limiter;
}

/** Full reports read at once per unit of listing concurrency. */
const REPORTS_PER_LISTING = 4;
/** Repositories walked ahead per unit of listing concurrency: their listing goes on while reports are read. */
const REPOSITORIES_PER_LISTING = 4;

async function* evaluateRepository(
  client: HarborClient,
  project: string,
  repo: HarborRepository,
  policy: EvaluablePolicy,
  filters: CompiledPolicyFilters,
  stats: EvaluationStats,
  limits: WalkLimits,
): AsyncGenerator<Verdict> {
  const repository = shortName(repo.name, project);
  let listed = 0;
  // Patched images by tag, as listed so far. Harbor lists newest first, and an image patched from an
  // artifact is always pushed after it, so a candidate's patched image (if any) is already here: no
  // extra request per candidate.
  const patched = new Map<string, HarborArtifact>();
  const findTagged = async (tag: string) => patched.get(tag);
  // tags=* lets Harbor leave untagged artifacts out: they cannot be patched to "<tag>-patched".
  const pages = listArtifactPages(client, repo.name, { q: 'tags=*', onRequest: () => stats.harbor_requests++ });
  for (;;) {
    const next = await limits.listing.run(() => pages.next());
    if (next.done) break;
    const page = next.value;
    listed += page.length;
    stats.artifacts_listed += page.length;
    for (const artifact of page) {
      for (const t of artifact.tags ?? []) if (isPatchedTag(t.name, policy)) patched.set(t.name, artifact);
    }
    // Judged together: the few that need their full report fetch it concurrently (bounded across the walk).
    const verdicts = await Promise.all(
      page.map((artifact) =>
        limits.reports.run(() =>
          judgeArtifact(client, project, repository, artifact, policy, filters, stats, findTagged),
        ),
      ),
    );
    yield* verdicts;
  }
  const untagged = (repo.artifact_count ?? listed) - listed;
  if (untagged > 0) {
    yield {
      kind: 'excluded',
      reason: 'NO_TAG',
      message: 'Untagged artifacts have no tag to name "<tag>-patched" after.',
      repository,
      repository_name: repo.name,
      count: untagged,
    };
  }
}

/**
 * Every artifact of the project with the policy's verdict, in repository order. Artifact pages are
 * listed `concurrency` at a time (as a plain paged listing would), for the next few repositories while
 * the current one is consumed; full reports, where a summary cannot decide, are read beside the listing
 * (up to 4 x `concurrency` at a time) instead of holding it up. Memory stays bounded by the repositories
 * walked ahead (4 x `concurrency`) x page size.
 */
export async function* evaluatePolicy(
  client: HarborClient,
  project: string,
  policy: EvaluablePolicy,
  opts: EvaluateOptions = {},
): AsyncGenerator<Verdict> {
  const stats = opts.stats ?? newStats();
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const ahead = concurrency * REPOSITORIES_PER_LISTING;
  const limits: WalkLimits = {
    listing: new Limiter(concurrency),
    reports: new Limiter(concurrency * REPORTS_PER_LISTING),
  };
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
            message: `${repo.name} does not pass the repository filters.`,
            repository,
            repository_name: repo.name,
            count: repo.artifact_count ?? 0,
          };
          continue;
        }
        stats.repositories_matched++;
        start(evaluateRepository(client, project, repo, policy, filters, stats, limits));
        while (window.length >= ahead) yield* drain();
      }
    }
    while (window.length > 0) yield* drain();
  } finally {
    for (const r of window) await r.gen.return(undefined).catch(() => undefined);
  }
}
