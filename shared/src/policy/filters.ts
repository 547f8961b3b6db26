/**
 * Policy filters: compile once, match many. Regex uses RE2 (re2js: linear time, the same syntax as
 * Harbor's Go regexp, no backreferences or lookaround) and must match the whole name. Glob uses
 * picomatch with Harbor's doublestar semantics: `*` stays inside one path segment, `**` crosses them,
 * dot-files are not special. Both run in the browser too.
 */
import picomatch from 'picomatch';
import { RE2JS } from 're2js';
import type { FilterDecoration, FilterSyntax, NormalizedFilter, PolicyFilter } from './model';

export type NameMatcher = (name: string) => boolean;

export class FilterPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterPatternError';
  }
}

/** Compiles one pattern; throws FilterPatternError with a readable reason when it is not valid. */
export function compilePattern(pattern: string, syntax: FilterSyntax): NameMatcher {
  if (syntax === 'regex') {
    let re: RE2JS;
    try {
      re = RE2JS.compile(pattern);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new FilterPatternError(`not a valid RE2 regular expression (${reason})`);
    }
    return (name) => re.matches(name);
  }
  let isMatch: (s: string) => boolean;
  try {
    isMatch = picomatch(pattern, { dot: true, windows: false, strictBrackets: true });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new FilterPatternError(`not a valid glob pattern (${reason})`);
  }
  return (name) => isMatch(name);
}

interface CompiledNameFilter {
  match: NameMatcher;
  decoration: FilterDecoration;
}

/** The compiled form of a policy's filters. Absent filters match everything. */
export interface PolicyMatcher {
  repository?: CompiledNameFilter;
  tag?: CompiledNameFilter;
  labels?: { names: string[]; decoration: FilterDecoration };
}

/** Compiles a policy's filters (validated or not: bad patterns throw FilterPatternError). */
export function compileFilters(filters: readonly (PolicyFilter | NormalizedFilter)[]): PolicyMatcher {
  const matcher: PolicyMatcher = {};
  for (const f of filters) {
    const decoration = f.decoration ?? 'matches';
    if (f.type === 'label') {
      const names = Array.isArray(f.value) ? [...f.value] : [f.value];
      matcher.labels = { names, decoration };
    } else {
      if (typeof f.value !== 'string') throw new FilterPatternError(`${f.type} filter value must be a string`);
      const syntax = ('syntax' in f && f.syntax) || 'glob';
      matcher[f.type] = { match: compilePattern(f.value, syntax), decoration };
    }
  }
  return matcher;
}

function applyDecoration(matched: boolean, decoration: FilterDecoration): boolean {
  return decoration === 'excludes' ? !matched : matched;
}

/** `fullName` is Harbor's repository name including the project, e.g. `library/team/app`. */
export function matchRepository(matcher: PolicyMatcher, fullName: string): boolean {
  if (!matcher.repository) return true;
  return applyDecoration(matcher.repository.match(fullName), matcher.repository.decoration);
}

export function matchTag(matcher: PolicyMatcher, tag: string): boolean {
  if (!matcher.tag) return true;
  return applyDecoration(matcher.tag.match(tag), matcher.tag.decoration);
}

/**
 * Harbor's replication label filter: `matches` needs every listed label on the artifact,
 * `excludes` keeps artifacts that do not carry every listed label.
 */
export function matchLabels(matcher: PolicyMatcher, artifactLabels: readonly string[]): boolean {
  if (!matcher.labels) return true;
  const present = new Set(artifactLabels);
  const hasAll = matcher.labels.names.every((n) => present.has(n));
  return applyDecoration(hasAll, matcher.labels.decoration);
}

/** The tags of one artifact that the policy selects (empty when the repository or labels do not match). */
export function selectTags(
  matcher: PolicyMatcher,
  artifact: { repository: string; tags: readonly string[]; labels: readonly string[] },
): string[] {
  if (!matchRepository(matcher, artifact.repository) || !matchLabels(matcher, artifact.labels)) return [];
  return artifact.tags.filter((t) => matchTag(matcher, t));
}
