import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { NoopAnimationsModule } from '@angular/platform-browser/animations';
import { ActivatedRoute, Router, provideRouter } from '@angular/router';
import { TranslateModule, TranslateService } from '@ngx-translate/core';
import { SharedModule } from '../../shared/shared.module';
import { ArtifactListComponent, isPatchable } from './artifact-list.component';
import { projectContext, routeStub, useEnglish } from '../../shared/testing/testing';
import { ProjectContext } from '../project.resolver';

const ARTIFACT = {
  id: 1,
  type: 'IMAGE',
  digest: 'sha256:aaaaaaaaaaaaaaaa',
  size: 1024,
  tags: [{ id: 1, name: '1.0' }],
  scan_overview: {
    'application/vnd.security.vulnerability.report; version=1.1': {
      scan_status: 'Success',
      summary: { total: 6, fixable: 4, summary: { Critical: 1, High: 5 } },
    },
  },
};

describe('ArtifactListComponent', () => {
  let backend: HttpTestingController;

  async function setup(context: ProjectContext, repository = 'team/app') {
    TestBed.configureTestingModule({
      declarations: [ArtifactListComponent],
      imports: [SharedModule, NoopAnimationsModule, TranslateModule.forRoot()],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: ActivatedRoute, useValue: routeStub(context, { repository }) },
      ],
    });
    useEnglish(TestBed.inject(TranslateService));
    backend = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(ArtifactListComponent);
    fixture.detectChanges();
    await new Promise((r) => setTimeout(r));
    const req = backend.expectOne((r) => r.url.startsWith('/api/v2.0/projects/library/repositories/'));
    // Harbor wants the repository name without the project, URL-encoded twice.
    expect(req.request.url).toBe('/api/v2.0/projects/library/repositories/team%252Fapp/artifacts');
    expect(req.request.params.get('with_scan_overview')).toBe('true');
    req.flush([ARTIFACT, { ...ARTIFACT, id: 2, type: 'CHART', digest: 'sha256:bbbb', tags: [{ id: 2, name: 'c' }] }], {
      headers: { 'X-Total-Count': '2' },
    });
    fixture.detectChanges();
    await fixture.whenStable();
    fixture.detectChanges();
    return fixture;
  }

  it('shows the vulnerability summary of each artifact', async () => {
    const fixture = await setup(projectContext());
    const text = (fixture.nativeElement as HTMLElement).textContent ?? '';
    expect(text).toContain('6 total');
    expect(text).toContain('(4 fixable)');
  });

  it('shows Patch only to users with repository:push', async () => {
    const withPush = await setup(projectContext({ canPush: true }));
    expect(withPush.nativeElement.querySelector('#patch-artifact')).not.toBeNull();
    TestBed.resetTestingModule();
    const without = await setup(projectContext({ canPush: false, canManagePolicies: false }));
    expect(without.nativeElement.querySelector('#patch-artifact')).toBeNull();
  });

  it('enables Patch for a selected image only (not a chart)', async () => {
    const fixture = await setup(projectContext());
    const c = fixture.componentInstance;
    const button = () => fixture.nativeElement.querySelector('#patch-artifact') as HTMLButtonElement;
    expect(button().disabled).toBeTrue();
    c.selectedRows = [c.artifacts[1]];
    fixture.detectChanges();
    expect(button().disabled).toBeTrue();
    c.selectedRows = [c.artifacts[0]];
    fixture.detectChanges();
    expect(button().disabled).toBeFalse();
    expect(isPatchable({ id: 1, digest: 'x' })).toBeTrue();
  });

  it('patches the selected tag and opens the task named in X-Patch-Task-Id', async () => {
    const fixture = await setup(projectContext());
    const router = TestBed.inject(Router);
    const navigate = spyOn(router, 'navigate').and.resolveTo(true);
    const c = fixture.componentInstance;
    c.selectedRows = [c.artifacts[0]];
    fixture.detectChanges();
    (fixture.nativeElement.querySelector('#patch-artifact') as HTMLButtonElement).click();
    const req = backend.expectOne('/patching/api/v1/projects/library/repositories/team%252Fapp/artifacts/1.0/patch');
    expect(req.request.method).toBe('POST');
    req.flush(
      { id: 12, status: 'Running' },
      { status: 202, statusText: 'Accepted', headers: { 'X-Patch-Task-Id': '34' } },
    );
    expect(navigate).toHaveBeenCalledWith(['/projects', 'library', 'executions', 12, 'tasks', 34]);
  });

  it("shows the server's words when the patch is refused", async () => {
    const fixture = await setup(projectContext());
    const c = fixture.componentInstance;
    c.selectedRows = [c.artifacts[0]];
    c.patch(c.artifacts[0]);
    backend
      .expectOne((r) => r.url.endsWith('/patch'))
      .flush(
        { errors: [{ code: 'FORBIDDEN', message: 'You need push permission in project library.' }] },
        { status: 403, statusText: 'Forbidden' },
      );
    fixture.detectChanges();
    expect(fixture.nativeElement.querySelector('#artifact-error').textContent).toContain('You need push permission');
  });

  it('says in words from the translation file when an accepted patch names no task', async () => {
    const fixture = await setup(projectContext());
    const c = fixture.componentInstance;
    c.selectedRows = [c.artifacts[0]];
    c.patch(c.artifacts[0]);
    backend
      .expectOne((r) => r.url.endsWith('/patch'))
      .flush({ id: 12, status: 'Running' }, { status: 202, statusText: 'Accepted' });
    fixture.detectChanges();
    expect(fixture.nativeElement.querySelector('#artifact-error').textContent).toContain(
      'The patch was accepted but the answer named no task',
    );
  });
});
