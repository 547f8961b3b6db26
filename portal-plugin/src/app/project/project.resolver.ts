import { inject } from '@angular/core';
import { ResolveFn } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { HarborService } from '../shared/services/harbor.service';
import { PERMISSIONS, PermissionService, canManagePolicies, hasPermission } from '../shared/services/permission.service';
import { SessionService } from '../shared/services/session.service';
import { HarborProject } from '../shared/services/harbor.models';

/** What every page of a project needs to know: the project and what the caller may do in it. */
export interface ProjectContext {
  project: HarborProject;
  canManagePolicies: boolean;
  canPush: boolean;
}

export const projectResolver: ResolveFn<ProjectContext> = async (route) => {
  const harbor = inject(HarborService);
  const permissions = inject(PermissionService);
  const session = inject(SessionService);
  const name = route.paramMap.get('project') ?? '';
  const project = await firstValueFrom(harbor.getProject(name));
  const list = await firstValueFrom(permissions.permissions(project.project_id)).catch(() => []);
  return {
    project,
    canManagePolicies: canManagePolicies(session.currentUser, project),
    canPush: hasPermission(list, PERMISSIONS.REPOSITORY_PUSH),
  };
};
