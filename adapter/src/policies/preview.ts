/**
 * Dry-run preview: which artifacts the policy would patch now, and why the others would not.
 * Lists are bounded; counts always cover the whole project.
 */
import type { HarborClient } from '../harbor/client';
import {
  EXCLUSION_REASONS,
  evaluatePolicy,
  newStats,
  type CandidateArtifact,
  type EvaluationStats,
  type ExclusionReason,
  type Verdict,
} from './evaluate';
import type { EvaluablePolicy } from './filters';

export interface PreviewExclusion {
  repository: string;
  digest?: string;
  tags?: string[];
  reason: ExclusionReason;
  message: string;
  count: number;
}

export interface PolicyPreview {
  candidates: CandidateArtifact[];
  excluded: PreviewExclusion[];
  counts: {
    candidates: number;
    excluded: number;
    /** Artifacts left out, per reason (a filtered repository counts all of its artifacts). */
    by_reason: Record<ExclusionReason, number>;
    repositories_total: number;
    repositories_matched: number;
    artifacts_listed: number;
  };
  /** True when more candidates or exclusions exist than were listed. */
  truncated: boolean;
  harbor_requests: number;
  duration_ms: number;
}

export interface PreviewOptions {
  /** At most this many candidates and this many exclusions are listed (default 50). */
  limit?: number;
  concurrency?: number;
}

export async function previewPolicy(
  client: HarborClient,
  project: string,
  policy: EvaluablePolicy,
  opts: PreviewOptions = {},
): Promise<PolicyPreview> {
  const started = performance.now();
  const limit = opts.limit ?? 50;
  const stats: EvaluationStats = newStats();
  const byReason = Object.fromEntries(EXCLUSION_REASONS.map((r) => [r, 0])) as Record<ExclusionReason, number>;
  const candidates: CandidateArtifact[] = [];
  const excluded: PreviewExclusion[] = [];
  let candidateCount = 0;
  let excludedCount = 0;
  let truncated = false;
  for await (const v of evaluatePolicy(client, project, policy, { stats, concurrency: opts.concurrency })) {
    if (v.kind === 'candidate') {
      candidateCount++;
      if (candidates.length < limit) candidates.push(v.artifact);
      else truncated = true;
    } else {
      byReason[v.reason] += v.count;
      excludedCount += v.count;
      if (excluded.length < limit) excluded.push(exclusionOf(v));
      else truncated = true;
    }
  }
  return {
    candidates,
    excluded,
    counts: {
      candidates: candidateCount,
      excluded: excludedCount,
      by_reason: byReason,
      repositories_total: stats.repositories_total,
      repositories_matched: stats.repositories_matched,
      artifacts_listed: stats.artifacts_listed,
    },
    truncated,
    harbor_requests: stats.harbor_requests,
    duration_ms: Math.round(performance.now() - started),
  };
}

function exclusionOf(v: Extract<Verdict, { kind: 'excluded' }>): PreviewExclusion {
  const { kind: _kind, ...rest } = v;
  return rest;
}
