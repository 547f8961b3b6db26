import { Injectable, inject } from '@angular/core';
import { Observable, map, of, shareReplay } from 'rxjs';
import { HarborService } from './harbor.service';
import { HarborPermission, HarborUser } from './harbor.models';

/** The permission keys the plugin checks (names as in Harbor's permission-static.ts). */
export const PERMISSIONS = {
  REPOSITORY_PUSH: { resource: 'repository', action: 'push' },
  REPOSITORY_PULL: { resource: 'repository', action: 'pull' },
  LABEL_LIST: { resource: 'label', action: 'list' },
  REPOSITORY_LIST: { resource: 'repository', action: 'list' },
  LOG_LIST: { resource: 'log', action: 'list' },
  /**
   * Harbor has no "is project admin" permission: like the adapter, we take one only project admins (and
   * system admins) hold, creating webhook policies.
   */
  PROJECT_ADMIN: { resource: 'notification-policy', action: 'create' },
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

export function hasPermission(
  list: HarborPermission[] | null | undefined,
  wanted: { resource: string; action: string },
) {
  return !!list?.some((p) => p.resource === wanted.resource && p.action === wanted.action);
}

/**
 * Patch policies are managed by project admins and system admins (README.md, "Access rules"), decided
 * as the adapter decides: a system admin, or the project admin permission in the project.
 */
export function canManagePolicies(
  user: HarborUser | null,
  permissions: HarborPermission[] | null | undefined,
): boolean {
  if (!user) return false;
  return !!user.sysadmin_flag || hasPermission(permissions, PERMISSIONS.PROJECT_ADMIN);
}

/**
 * Whether the caller may stop an execution (or one of its tasks), as the adapter decides: an ad-hoc patch
 * needs push in the project; a policy run (MANUAL, SCHEDULE, EVENT) or a job Harbor started (JOBSERVICE)
 * needs project admin.
 */
export function canStopExecution(
  access: { canManagePolicies: boolean; canPush: boolean },
  trigger: string | null | undefined,
): boolean {
  return trigger === 'ADHOC' ? access.canPush : access.canManagePolicies;
}
