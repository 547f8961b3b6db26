// Immutable tag rules: doublestar selectors (Harbor src/lib/selector/selectors/doublestar) on the repository
// name (without the project) and on the tag.
import picomatch from 'picomatch';
import type { ImmutableRule, ImmutableSelector, SimState } from './state';

function selects(selector: ImmutableSelector, value: string, positive: string, negative: string): boolean {
  const matches = picomatch.isMatch(value, selector.pattern, { dot: true });
  if (selector.decoration === positive) return matches;
  if (selector.decoration === negative) return !matches;
  return false;
}

/**
 * Like Harbor's immutable matcher (src/pkg/immutable/match/rule/match.go): only the first repository
 * selector and the first tag selector count, and a rule without either never matches.
 */
export function ruleMatches(rule: ImmutableRule, repositoryInProject: string, tag: string): boolean {
  if (rule.disabled) return false;
  const repoSelector = rule.scope_selectors.repository?.[0];
  const tagSelector = rule.tag_selectors[0];
  if (!repoSelector || !tagSelector) return false;
  return (
    selects(repoSelector, repositoryInProject, 'repoMatches', 'repoExcludes') &&
    selects(tagSelector, tag, 'matches', 'excludes')
  );
}

/** Whether <project>/<repo>:<tag> is protected by one of the project's immutable rules. */
export function isImmutable(state: SimState, projectId: number, repository: string, tag: string): boolean {
  const inProject = repository.slice(repository.indexOf('/') + 1);
  return state.immutableRules.some((r) => r.project_id === projectId && ruleMatches(r, inProject, tag));
}

export function validateRule(body: unknown): string | undefined {
  const rule = body as Partial<ImmutableRule> | undefined;
  if (!rule || typeof rule !== 'object') return 'the body must be an immutable rule object';
  if (!Array.isArray(rule.tag_selectors) || rule.tag_selectors.length === 0)
    return 'tag_selectors must hold at least one selector like {"kind":"doublestar","decoration":"matches","pattern":"**"}';
  for (const s of [...rule.tag_selectors, ...Object.values(rule.scope_selectors ?? {}).flat()]) {
    if (s.kind !== 'doublestar') return `selector kind "${s.kind}" is not supported; use "doublestar"`;
    if (typeof s.pattern !== 'string' || s.pattern === '') return 'every selector needs a non-empty pattern';
  }
  for (const s of rule.tag_selectors)
    if (!['matches', 'excludes'].includes(s.decoration)) return `tag selector decoration must be matches or excludes`;
  for (const s of rule.scope_selectors?.repository ?? [])
    if (!['repoMatches', 'repoExcludes'].includes(s.decoration))
      return `repository selector decoration must be repoMatches or repoExcludes`;
  return undefined;
}
