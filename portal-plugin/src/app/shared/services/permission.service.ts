import { Injectable, inject } from '@angular/core';
import { Observable, map, of, shareReplay } from 'rxjs';
import { HarborService } from './harbor.service';
import { HarborPermission, HarborProject, HarborUser, ROLE } from './harbor.models';

/** The permission keys the plugin checks (names as in Harbor's permission-static.ts). */
export const PERMISSIONS = {
  REPOSITORY_PUSH: { resource: 'repository', action: 'push' },
  REPOSITORY_PULL: { resource: 'repository', action: 'pull' },
  LABEL_LIST: { resource: 'label', action: 'list' },
} as const;

/** Caches the caller's project permissions, like Harbor's UserPermissionService. */
@Injectable({ providedIn: 'root' })
export class PermissionService {
  private harbor = inject(HarborService);
  private cache = new Map<number, Observable<HarborPermission[]>>();

  permissions(projectId: number): Observable<HarborPermission[]> {
    let cached = this.cache.get(projectId);
    if (!cached) {
      cached = this.harbor.projectPermissions(projectId).pipe(shareReplay(1));
      this.cache.set(projectId, cached);
    }
    return cached;
  }

  hasProjectPermission(projectId: number, wanted: { resource: string; action: string }): Observable<boolean> {
    if (!projectId) return of(false);
    return this.permissions(projectId).pipe(map((list) => hasPermission(list, wanted)));
  }

  clear(): void {
    this.cache.clear();
  }
}

export function hasPermission(list: HarborPermission[] | null | undefined, wanted: { resource: string; action: string }) {
  return !!list?.some((p) => p.resource === wanted.resource && p.action === wanted.action);
}

/** Patch policies are managed by project admins and system admins (DESIGN §5). */
export function canManagePolicies(user: HarborUser | null, project: HarborProject | null): boolean {
  if (!user || !project) return false;
  if (user.sysadmin_flag) return true;
  const roles = project.current_user_role_ids ?? (project.current_user_role_id ? [project.current_user_role_id] : []);
  return roles.includes(ROLE.PROJECT_ADMIN);
}
