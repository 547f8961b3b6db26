// Which tabs of a project a caller sees, and where they land, decided from their Harbor permissions the
// way Harbor's project detail hides the tabs a role has no permission for.

export type ProjectTab = 'overview' | 'policies' | 'executions' | 'artifacts';
export const PROJECT_TABS: readonly ProjectTab[] = ['overview', 'policies', 'executions', 'artifacts'];

/** What the caller may do in the project (system admins may do everything). */
export interface ProjectAccess {
  /** Create, change and run policies: project admin (Harbor's notification-policy:create). */
  canManagePolicies: boolean;
  /** Patch one artifact now: repository:push (developer and up). */
  canPush: boolean;
  /**
   * See the policies and the patch history: project activity, shown like Harbor's Logs tab to those with
   * log:list (members from Guest up), not to limited guests or non-members of a public project.
   */
  canSeeHistory: boolean;
  /** Browse the repositories and artifacts: repository:list, as Harbor's Repositories tab. */
  canListArtifacts: boolean;
}

/**
 * The Overview (what patching fixed, what is left) is history too: first for those who see the history. Limited
 * guests, who see no history in Harbor, do not get it.
 */
export function visibleTabs(access: ProjectAccess): ProjectTab[] {
  const history = access.canSeeHistory || access.canManagePolicies;
  return PROJECT_TABS.filter((tab) => (tab === 'artifacts' ? access.canListArtifacts : history));
}

/**
 * The tab a project opens on: where the caller can act. Project admins manage policies; developers and
 * maintainers patch from the artifacts; guests read the Overview (the first tab); limited guests browse the
 * artifacts.
 */
export function landingTab(access: ProjectAccess): ProjectTab | null {
  const tabs = visibleTabs(access);
  if (access.canManagePolicies && tabs.includes('policies')) return 'policies';
  if (access.canPush && tabs.includes('artifacts')) return 'artifacts';
  return tabs[0] ?? null;
}

/** The tab a project child route belongs to (`executions/:execution/tasks` -> `executions`); '' for the bare project. */
export function tabOfPath(path: string | undefined): ProjectTab | '' | undefined {
  if (path === undefined) return undefined;
  const first = path.split('/')[0];
  if (first === '') return '';
  return (PROJECT_TABS as readonly string[]).includes(first) ? (first as ProjectTab) : undefined;
}
