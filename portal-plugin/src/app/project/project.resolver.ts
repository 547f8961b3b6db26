import { inject } from '@angular/core';
import { HttpErrorResponse } from '@angular/common/http';
import { RedirectCommand, ResolveFn, Router } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { HarborService } from '../shared/services/harbor.service';
import {
  PERMISSIONS,
  PermissionService,
  canManagePolicies,
  hasPermission,
} from '../shared/services/permission.service';
import { SessionService } from '../shared/services/session.service';
import { HarborPermission, HarborProject, HarborUser } from '../shared/services/harbor.models';
import { ProjectAccess, ProjectTab, landingTab, tabOfPath, visibleTabs } from './project-tabs';

/** What every page of a project needs to know: the project, what the caller may do in it, which tabs they see. */
export interface ProjectContext extends ProjectAccess {
  project: HarborProject;
  tabs: ProjectTab[];
  /** Where the project opens for this caller (null: no tab at all). */
  landing: ProjectTab | null;
}

/** The context from the caller's permissions; system admins may do everything. */
export function projectContextOf(
  project: HarborProject,
  user: HarborUser | null,
  permissions: HarborPermission[],
): ProjectContext {
  const admin = !!user?.sysadmin_flag;
  const access: ProjectAccess = {
    canManagePolicies: canManagePolicies(user, permissions),
    canPush: admin || hasPermission(permissions, PERMISSIONS.REPOSITORY_PUSH),
    canSeeHistory: admin || hasPermission(permissions, PERMISSIONS.LOG_LIST),
    canListArtifacts: admin || hasPermission(permissions, PERMISSIONS.REPOSITORY_LIST),
  };
  return { project, ...access, tabs: visibleTabs(access), landing: landingTab(access) };
}

export const projectResolver: ResolveFn<ProjectContext> = async (route, state) => {
  const harbor = inject(HarborService);
  const permissions = inject(PermissionService);
  const session = inject(SessionService);
  const router = inject(Router);
  const name = route.paramMap.get('project') ?? '';
  let project: HarborProject;
  try {
    project = await firstValueFrom(harbor.getProject(name));
  } catch (error) {
    // Signed out meanwhile: sign in again and come back; an unknown or hidden project: back to the list.
    if (error instanceof HttpErrorResponse && error.status === 401) {
      return new RedirectCommand(router.createUrlTree(['/sign-in'], { queryParams: { redirect_url: state.url } }));
    }
    return new RedirectCommand(router.createUrlTree(['/projects']));
  }
  const list = await firstValueFrom(permissions.permissions(project.project_id)).catch(() => []);
  const context = projectContextOf(project, session.currentUser, list);
  // The bare project opens where the caller can act; a tab they may not see sends them there too.
  const tab = tabOfPath(route.firstChild?.routeConfig?.path);
  if (context.landing && (tab === '' || (tab && !context.tabs.includes(tab)))) {
    return new RedirectCommand(router.createUrlTree(['/projects', project.name, context.landing]), {
      replaceUrl: true,
    });
  }
  return context;
};
