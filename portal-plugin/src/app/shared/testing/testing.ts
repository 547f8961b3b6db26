// Test helpers for the component specs: the project context a resolver would give, a route stub,
// and the English strings so specs read what users read.
import { HTTP_INTERCEPTORS, provideHttpClient, withInterceptorsFromDi } from '@angular/common/http';
import { provideHttpClientTesting } from '@angular/common/http/testing';
import { convertToParamMap, ActivatedRoute } from '@angular/router';
import { TranslateService } from '@ngx-translate/core';
import { ProjectContext } from '../../project/project.resolver';
import { landingTab, visibleTabs } from '../../project/project-tabs';
import { CsrfInterceptor } from '../interceptors/csrf.interceptor';
import en from '../../../i18n/lang/en-us-lang.json';
import { Execution } from '../services/patching.models';

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

/** An execution as the API sends it: Harbor's status, task counts (all 0 unless given), nothing left out. */
export function executionOf(
  status: Execution['status'],
  metrics: Partial<Execution['metrics']> = {},
  extra: Partial<Execution> = {},
): Execution {
  return {
    id: 7,
    project: 'library',
    policy_id: 5,
    trigger: 'MANUAL',
    status,
    status_message: '',
    options: {
      mode: 'targeted',
      severity_threshold: 'None',
      tag_scheme: 'floating',
      tag_suffix: 'patched',
      rescan: true,
      copy_labels: true,
      delete_original: false,
      scan_if_missing: false,
    },
    start_time: '2026-01-01T00:00:00Z',
    end_time: status === 'Running' ? null : '2026-01-01T00:01:05Z',
    metrics: {
      total: 0,
      succeeded: 0,
      failed: 0,
      skipped: 0,
      stopped: 0,
      running: 0,
      pending: 0,
      by_reason: {},
      ...metrics,
    },
    excluded: {},
    ...extra,
  };
}

/** HttpClient through the CSRF interceptor, as the app has it, against the testing backend. */
export function csrfHttpTesting() {
  return [
    provideHttpClient(withInterceptorsFromDi()),
    provideHttpClientTesting(),
    { provide: HTTP_INTERCEPTORS, useClass: CsrfInterceptor, multi: true },
  ];
}
