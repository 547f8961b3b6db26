/**
 * The policy's filters as the evaluation uses them: the shared matcher (RE2 regex anchored on the
 * whole name, doublestar glob), plus recognition of tags that patching itself produced.
 */
import { compileFilters, matchLabels, matchRepository, matchTag } from '@harbor-patching/shared/policy/filters';
import { DEFAULT_TAG_SUFFIX, type PatchPolicy } from '@harbor-patching/shared/policy/model';
import { isPatchedTag as isPatchedTagName } from '@harbor-patching/shared/policy/tags';

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

/**
 * True for tags that patching produced, with the policy's suffix or the default one (ad-hoc
 * patches always use the default): such images are patch results, never patch sources.
 */
export function isPatchedTag(tag: string, policy: Pick<PatchPolicy, 'tag_suffix'>): boolean {
  const suffix = policy.tag_suffix || DEFAULT_TAG_SUFFIX;
  return isPatchedTagName(tag, suffix) || isPatchedTagName(tag, DEFAULT_TAG_SUFFIX);
}
