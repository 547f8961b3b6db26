// Test helpers for the component specs: the project context a resolver would give, a route stub,
// and the English strings so specs read what users read.
import { convertToParamMap, ActivatedRoute } from '@angular/router';
import { TranslateService } from '@ngx-translate/core';
import { ProjectContext } from '../../project/project.resolver';
import { landingTab, visibleTabs } from '../../project/project-tabs';
import en from '../../../i18n/lang/en-us-lang.json';

export function projectContext(overrides: Partial<ProjectContext> = {}): ProjectContext {
  const context = {
    project: { project_id: 1, name: 'library', current_user_role_ids: [1], metadata: { public: 'true' } },
    canManagePolicies: true,
    canPush: true,
    canSeeHistory: true,
    canListArtifacts: true,
    ...overrides,
  };
  return { ...context, tabs: visibleTabs(context), landing: landingTab(context), ...overrides };
}

export function routeStub(
  context: ProjectContext,
  params: Record<string, string> = {},
  query: Record<string, string> = {},
): Partial<ActivatedRoute> {
  return {
    parent: { snapshot: { data: { context } } } as unknown as ActivatedRoute,
    snapshot: { paramMap: convertToParamMap(params), queryParamMap: convertToParamMap(query), data: {} } as never,
  };
}

export function useEnglish(translate: TranslateService): void {
  translate.setTranslation('en-us', en);
  translate.use('en-us');
}
