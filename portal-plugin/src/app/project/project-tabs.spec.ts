import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { Route, Router, provideRouter } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { of } from 'rxjs';
import { routes } from '../app-routing.module';
import { HarborService } from '../shared/services/harbor.service';
import { PermissionService } from '../shared/services/permission.service';
import { SessionService } from '../shared/services/session.service';
import { HarborPermission, HarborUser } from '../shared/services/harbor.models';
import { projectContextOf } from './project.resolver';
import { landingTab, visibleTabs } from './project-tabs';

const p = (resource: string, ...actions: string[]): HarborPermission[] =>
  actions.map((action) => ({ resource, action }));

/** The project permissions Harbor gives each role (src/common/rbac/project/rbac_role.go), the parts that matter here. */
const ROLES: Record<string, HarborPermission[]> = {
  projectAdmin: [
    ...p('log', 'list'),
    ...p('repository', 'list', 'pull', 'push'),
    ...p('notification-policy', 'create', 'list'),
  ],
  maintainer: [...p('log', 'list'), ...p('repository', 'list', 'pull', 'push'), ...p('notification-policy', 'list')],
  developer: [...p('log', 'list'), ...p('repository', 'list', 'pull', 'push')],
  guest: [...p('log', 'list'), ...p('repository', 'read', 'list', 'pull')],
  limitedGuest: [...p('repository', 'list', 'pull'), ...p('artifact', 'read', 'list')],
};
const PROJECT = { project_id: 1, name: 'library' };

describe('project tabs and landing page', () => {
  const access = (role: string, user: HarborUser | null = { user_id: 2, username: role }) =>
    projectContextOf(PROJECT, user, ROLES[role] ?? []);

  it('shows each role the tabs it has permissions for, and opens where it can act', () => {
    const seen = Object.keys(ROLES).map((role) => [role, access(role).tabs, access(role).landing]);
    expect(seen).toEqual([
      ['projectAdmin', ['overview', 'policies', 'executions', 'artifacts'], 'policies'],
      ['maintainer', ['overview', 'policies', 'executions', 'artifacts'], 'artifacts'],
      ['developer', ['overview', 'policies', 'executions', 'artifacts'], 'artifacts'],
      ['guest', ['overview', 'policies', 'executions', 'artifacts'], 'overview'],
      ['limitedGuest', ['artifacts'], 'artifacts'],
    ]);
    const admin = access('nobody', { user_id: 1, username: 'admin', sysadmin_flag: true });
    expect([admin.tabs, admin.landing]).toEqual([['overview', 'policies', 'executions', 'artifacts'], 'policies']);
    const none = { canManagePolicies: false, canPush: false, canSeeHistory: false, canListArtifacts: false };
    expect([visibleTabs(none), landingTab(none)]).toEqual([[], null]);
  });

  describe('routing', () => {
    @Component({ template: '' })
    class PageStub {}

    /** The app's own project route, its pages replaced by a stub: the resolver and the child paths are real. */
    function projectRoute(): Route {
      const project = routes.flatMap((r) => r.children ?? []).find((r) => r.path === 'projects/:project') as Route;
      // Each tab's lazily loaded pages become one stub that takes any path below the tab.
      const stub = (r: Route): Route =>
        r.loadChildren
          ? { path: r.path, component: PageStub, children: [{ path: '**', component: PageStub }] }
          : { ...r, component: r.component ? PageStub : undefined, children: r.children?.map(stub) };
      return stub(project);
    }

    async function navigate(role: string, url: string): Promise<string> {
      TestBed.configureTestingModule({
        providers: [
          provideRouter([projectRoute()]),
          { provide: HarborService, useValue: { getProject: () => of(PROJECT) } },
          { provide: PermissionService, useValue: { permissions: () => of(ROLES[role]) } },
          { provide: SessionService, useValue: { currentUser: { user_id: 2, username: role } } },
        ],
      });
      const harness = await RouterTestingHarness.create();
      await harness.navigateByUrl(url);
      return TestBed.inject(Router).url;
    }

    it('opens the bare project on the landing tab of the role', async () => {
      expect(await navigate('limitedGuest', '/projects/library')).toBe('/projects/library/artifacts');
      TestBed.resetTestingModule();
      expect(await navigate('developer', '/projects/library')).toBe('/projects/library/artifacts');
      TestBed.resetTestingModule();
      expect(await navigate('projectAdmin', '/projects/library')).toBe('/projects/library/policies');
      TestBed.resetTestingModule();
      expect(await navigate('guest', '/projects/library')).toBe('/projects/library/overview');
    });

    it('sends a hidden tab, typed or bookmarked, to the landing tab; a visible one stays', async () => {
      expect(await navigate('limitedGuest', '/projects/library/executions/4/tasks')).toBe(
        '/projects/library/artifacts',
      );
      TestBed.resetTestingModule();
      expect(await navigate('limitedGuest', '/projects/library/policies')).toBe('/projects/library/artifacts');
      TestBed.resetTestingModule();
      expect(await navigate('developer', '/projects/library/executions')).toBe('/projects/library/executions');
    });
  });
});
