import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { PERMISSIONS, PermissionService, canManagePolicies, hasPermission } from './permission.service';

describe('PermissionService', () => {
  it('reads the caller\'s project permissions the way Harbor\'s portal does, once per project', () => {
    TestBed.configureTestingModule({ providers: [provideHttpClient(), provideHttpClientTesting()] });
    const service = TestBed.inject(PermissionService);
    const backend = TestBed.inject(HttpTestingController);
    const answers: boolean[] = [];
    service.hasProjectPermission(3, PERMISSIONS.REPOSITORY_PUSH).subscribe((v) => answers.push(v));
    service.hasProjectPermission(3, PERMISSIONS.REPOSITORY_PULL).subscribe((v) => answers.push(v));
    const req = backend.expectOne((r) => r.url === '/api/v2.0/users/current/permissions');
    expect(req.request.params.get('scope')).toBe('/project/3');
    expect(req.request.params.get('relative')).toBe('true');
    req.flush([{ resource: 'repository', action: 'pull' }]);
    expect(answers).toEqual([false, true]);
    backend.verify();
  });

  it('lets project admins and system admins manage policies, nobody else', () => {
    const project = (roles: number[]) => ({ project_id: 1, name: 'p', current_user_role_ids: roles });
    expect(canManagePolicies({ user_id: 1, username: 'alice' }, project([1]))).toBeTrue();
    expect(canManagePolicies({ user_id: 2, username: 'mona' }, project([4]))).toBeFalse();
    expect(canManagePolicies({ user_id: 3, username: 'dave' }, project([2]))).toBeFalse();
    expect(canManagePolicies({ user_id: 4, username: 'admin', sysadmin_flag: true }, project([]))).toBeTrue();
    expect(canManagePolicies(null, project([1]))).toBeFalse();
    expect(hasPermission([{ resource: 'repository', action: 'push' }], PERMISSIONS.REPOSITORY_PUSH)).toBeTrue();
    expect(hasPermission(undefined, PERMISSIONS.REPOSITORY_PUSH)).toBeFalse();
  });
});
