/**
 * Harbor's immutable tag rules (GET /projects/{p}/immutabletagrules) and their matching: doublestar
 * globs on the repository name without the project, and on the tag (Harbor's immutable matcher).
 */
import picomatch from 'picomatch';
import type { HarborClient } from './client';

export interface ImmutableSelector {
  kind?: string;
  decoration?: string;
  pattern?: string;
}

export interface ImmutableRule {
  id?: number;
  disabled?: boolean;
  action?: string;
  tag_selectors?: ImmutableSelector[];
  scope_selectors?: Record<string, ImmutableSelector[]>;
}

export async function listImmutableRules(client: HarborClient, project: string): Promise<ImmutableRule[]> {
  const rules = await client.get<ImmutableRule[]>(`/projects/${encodeURIComponent(project)}/immutabletagrules`, {
    query: { page_size: 100 },
    headers: { 'X-Is-Resource-Name': 'true' },
  });
  return Array.isArray(rules) ? rules : [];
}

function globMatch(pattern: string, value: string): boolean {
  return picomatch.isMatch(value, pattern, { dot: true });
}

function selectorMatches(
  sel: ImmutableSelector | undefined,
  value: string,
  positive: string,
  negative: string,
): boolean {
  if (!sel || sel.pattern === undefined) return false;
  const hit = globMatch(sel.pattern, value);
  if (sel.decoration === negative) return !hit;
  if (sel.decoration === positive || sel.decoration === undefined) return hit;
  return false;
}

/** Whether any enabled rule makes `repository:tag` immutable. `repository` excludes the project name. */
export function isTagImmutable(rules: readonly ImmutableRule[], repository: string, tag: string): boolean {
  return rules.some((r) => {
    if (r.disabled) return false;
    const repoSel = r.scope_selectors?.repository?.[0];
    const tagSel = r.tag_selectors?.[0];
    return (
      selectorMatches(repoSel, repository, 'repoMatches', 'repoExcludes') &&
      selectorMatches(tagSel, tag, 'matches', 'excludes')
    );
  });
}
