import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import {
  PERMISSIONS,
  PermissionService,
  canManagePolicies,
  canStopExecution,
  hasPermission,
} from './permission.service';

describe('PermissionService', () => {
  it("reads the caller's project permissions the way Harbor's portal does, once per project", () => {
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

  it('lets project admins and system admins manage policies, nobody else, decided like the adapter', () => {
    const admin = [
      { resource: 'notification-policy', action: 'create' },
      { resource: 'repository', action: 'push' },
    ];
    const maintainer = [
      { resource: 'notification-policy', action: 'list' },
      { resource: 'repository', action: 'push' },
    ];
    expect(canManagePolicies({ user_id: 1, username: 'alice' }, admin)).toBeTrue();
    expect(canManagePolicies({ user_id: 2, username: 'mona' }, maintainer)).toBeFalse();
    expect(
      canManagePolicies({ user_id: 3, username: 'dave' }, [{ resource: 'repository', action: 'push' }]),
    ).toBeFalse();
    expect(canManagePolicies({ user_id: 4, username: 'admin', sysadmin_flag: true }, [])).toBeTrue();
    expect(canManagePolicies({ user_id: 5, username: 'gina' }, undefined)).toBeFalse();
    expect(canManagePolicies(null, admin)).toBeFalse();
    expect(hasPermission([{ resource: 'repository', action: 'push' }], PERMISSIONS.REPOSITORY_PUSH)).toBeTrue();
    expect(hasPermission(undefined, PERMISSIONS.REPOSITORY_PUSH)).toBeFalse();
  });

  it('lets push stop ad-hoc patches and only project admins stop policy runs and Harbor jobs', () => {
    const projectAdmin = { canManagePolicies: true, canPush: true };
    const developer = { canManagePolicies: false, canPush: true };
    const guest = { canManagePolicies: false, canPush: false };
    for (const trigger of ['MANUAL', 'SCHEDULE', 'EVENT', 'JOBSERVICE']) {
      expect(canStopExecution(projectAdmin, trigger)).withContext(trigger).toBeTrue();
      expect(canStopExecution(developer, trigger)).withContext(trigger).toBeFalse();
      expect(canStopExecution(guest, trigger)).withContext(trigger).toBeFalse();
    }
    expect(canStopExecution(projectAdmin, 'ADHOC')).toBeTrue();
    expect(canStopExecution(developer, 'ADHOC')).toBeTrue();
    expect(canStopExecution(guest, 'ADHOC')).toBeFalse();
    // An unknown trigger is treated as a policy run: the stricter rule.
    expect(canStopExecution(developer, undefined)).toBeFalse();
  });
});
