/**
 * The policy's filters as the evaluation uses them: the shared matcher (RE2 regex anchored on the
 * whole name, doublestar glob), plus recognition of tags that patching itself produced.
 */
import { compileFilters, matchLabels, matchRepository, matchTag } from '@harbor-patching/shared/policy/filters';
import { DEFAULT_TAG_SUFFIX, type PatchPolicy } from '@harbor-patching/shared/policy/model';

/** The parts of a policy the evaluation reads. */
export type EvaluablePolicy = Pick<PatchPolicy, 'filters' | 'severity_threshold' | 'tag_suffix'>;

export interface CompiledPolicyFilters {
  /** `repository` is without the project, `fullName` with it (filters match the full name). */
  repository(repository: string, fullName: string): boolean;
  tag(tag: string): boolean;
  labels(names: readonly string[]): boolean;
}

export function compilePolicyFilters(policy: EvaluablePolicy): CompiledPolicyFilters {
  const m = compileFilters(policy.filters);
  return {
    repository: (_repository, fullName) => matchRepository(m, fullName),
    tag: (tag) => matchTag(m, tag),
    labels: (names) => matchLabels(m, names),
  };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * True for `<tag>-<suffix>` and `<tag>-<suffix>-<N>` with the policy's suffix or the default one
 * (ad-hoc patches always use the default): such images are patch results, never patch sources.
 */
export function isPatchedTag(tag: string, policy: Pick<PatchPolicy, 'tag_suffix'>): boolean {
  const suffixes = new Set([policy.tag_suffix || DEFAULT_TAG_SUFFIX, DEFAULT_TAG_SUFFIX]);
  for (const suffix of suffixes) {
    if (new RegExp(`.-${escapeRegExp(suffix)}(?:-\\d+)?$`).test(tag)) return true;
  }
  return false;
}
