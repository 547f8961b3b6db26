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
import { HarborProject } from '../shared/services/harbor.models';

/** What every page of a project needs to know: the project and what the caller may do in it. */
export interface ProjectContext {
  project: HarborProject;
  canManagePolicies: boolean;
  canPush: boolean;
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
  const user = session.currentUser;
  return {
    project,
    canManagePolicies: canManagePolicies(user, list),
    canPush: !!user?.sysadmin_flag || hasPermission(list, PERMISSIONS.REPOSITORY_PUSH),
  };
};
