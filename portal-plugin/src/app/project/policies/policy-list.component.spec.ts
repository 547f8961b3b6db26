import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { NoopAnimationsModule } from '@angular/platform-browser/animations';
import { ActivatedRoute, provideRouter } from '@angular/router';
import { TranslateModule, TranslateService } from '@ngx-translate/core';
import { SharedModule } from '../../shared/shared.module';
import { PolicyListComponent } from './policy-list.component';
import { CreateEditPolicyComponent } from './create-edit-policy/create-edit-policy.component';
import { WebhookStatusComponent } from './webhook-status/webhook-status.component';
import { projectContext, routeStub, useEnglish } from '../../shared/testing/testing';
import { ProjectContext } from '../project.resolver';

const policy = (id: number, name: string, enabled: boolean) => ({
  id,
  name,
  enabled,
  project_id: 1,
  project_name: 'library',
  description: '',
  filters: [{ type: 'repository', value: 'library/**', decoration: 'matches', syntax: 'glob' }],
  trigger: { type: 'scheduled', cron: '0 0 0 * * *' },
  severity_threshold: 'High',
  mode: 'targeted',
  tag_scheme: 'floating',
  tag_suffix: 'patched',
  options: { rescan: true, copy_labels: true, delete_original: false },
  creator: 'alice',
  updated_by: 'alice',
  creation_time: '2026-01-01T00:00:00Z',
  update_time: '2026-01-01T00:00:00Z',
});

describe('PolicyListComponent', () => {
  let backend: HttpTestingController;

  function setup(context: ProjectContext) {
    TestBed.configureTestingModule({
      declarations: [PolicyListComponent, CreateEditPolicyComponent, WebhookStatusComponent],
      imports: [SharedModule, NoopAnimationsModule, TranslateModule.forRoot()],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: ActivatedRoute, useValue: routeStub(context) },
      ],
    });
    useEnglish(TestBed.inject(TranslateService));
    backend = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(PolicyListComponent);
    fixture.detectChanges();
    return fixture;
  }

  async function answerList(fixture: ReturnType<typeof setup>, total = 2) {
    await new Promise((r) => setTimeout(r));
    const req = backend.expectOne((r) => r.url === '/patching/api/v1/projects/library/policies');
    expect(req.request.params.get('page_size')).toBeTruthy();
    req.flush([policy(1, 'on-policy', true), policy(2, 'off-policy', false)], {
      headers: { 'X-Total-Count': String(total) },
    });
    fixture.detectChanges();
    await fixture.whenStable();
    fixture.detectChanges();
  }

  it('offers New, Run and Actions to project admins, with server-side paging', async () => {
    const fixture = setup(projectContext());
    await answerList(fixture, 42);
    const el = fixture.nativeElement as HTMLElement;
    expect(el.querySelector('#new-policy')).not.toBeNull();
    expect(el.querySelector('#run-policy')).not.toBeNull();
    expect(el.querySelector('#policy-action')).not.toBeNull();
    expect(el.textContent).toContain('42 items');
    expect(el.querySelectorAll('clr-dg-row').length).toBe(2);
  });

  it('hides New, Run and Actions from users who cannot manage policies', async () => {
    const fixture = setup(projectContext({ canManagePolicies: false, canPush: false }));
    await answerList(fixture);
    const el = fixture.nativeElement as HTMLElement;
    expect(el.querySelector('#new-policy')).toBeNull();
    expect(el.querySelector('#run-policy')).toBeNull();
    expect(el.querySelector('#policy-action')).toBeNull();
    expect(el.textContent).toContain('on-policy');
  });

  /** The open confirmation dialog: its title, question and confirm button, as the user reads them. */
  function dialog(): { title: string; question: string; button: HTMLButtonElement } {
    const modal = document.querySelector('.modal-dialog') as HTMLElement;
    return {
      title: modal.querySelector('.modal-title')!.textContent!.trim(),
      question: modal.querySelector('.confirmation-content')!.textContent!.trim(),
      button: modal.querySelector('#confirm-ok') as HTMLButtonElement,
    };
  }

  it('enables Run only for a selected, enabled policy, and runs it once confirmed', async () => {
    const fixture = setup(projectContext());
    await answerList(fixture);
    const run = () => (fixture.nativeElement as HTMLElement).querySelector('#run-policy') as HTMLButtonElement;
    expect(run().disabled).toBeTrue();
    const c = fixture.componentInstance;
    c.selectedRows = [c.policies[1]];
    fixture.detectChanges();
    expect(run().disabled).toBeTrue();
    c.selectedRows = [c.policies[0]];
    fixture.detectChanges();
    expect(run().disabled).toBeFalse();
    run().click();
    fixture.detectChanges();
    backend.expectNone((r) => r.method === 'POST');
    const asked = dialog();
    expect(asked.title).toBe('Confirm policy execution');
    expect(asked.question).toContain('Do you want to execute the patch policy on-policy?');
    expect(asked.button.textContent!.trim()).toBe('RUN');
    expect(asked.button.classList).toContain('btn-primary');
    asked.button.click();
    const req = backend.expectOne('/patching/api/v1/projects/library/policies/1/executions');
    expect(req.request.method).toBe('POST');
  });

  it("asks before Deactivate and Enable, in Harbor's words, then calls the endpoint", async () => {
    const fixture = setup(projectContext());
    await answerList(fixture);
    const c = fixture.componentInstance;
    const off = c.policies[1];
    c.selectedRows = [c.policies[0]];
    fixture.detectChanges();
    const el = fixture.nativeElement as HTMLElement;
    (el.querySelector('#policy-action') as HTMLButtonElement).click();
    fixture.detectChanges();
    const item = document.querySelector('#disable-policy') as HTMLButtonElement;
    expect(item.textContent!.trim()).toBe('Deactivate');
    item.click();
    fixture.detectChanges();
    backend.expectNone((r) => r.method === 'POST');
    let asked = dialog();
    expect(asked.title).toBe('Deactivate patch policy');
    expect(asked.question).toContain('Do you want to deactivate the patch policy on-policy?');
    expect(asked.button.textContent!.trim()).toBe('Deactivate');
    asked.button.click();
    backend.expectOne('/patching/api/v1/projects/library/policies/1/disable').flush(policy(1, 'on-policy', false));
    backend.expectOne((r) => r.url === '/patching/api/v1/projects/library/policies').flush([]);
    fixture.detectChanges();

    c.confirmSetEnabled(off, true);
    fixture.detectChanges();
    asked = dialog();
    expect(asked.title).toBe('Enable patch policy');
    expect(asked.question).toContain('Do you want to enable the patch policy off-policy?');
    // Cancel changes nothing.
    (document.querySelector('#confirm-cancel') as HTMLButtonElement).click();
    backend.expectNone((r) => r.method === 'POST');
  });

  it('deletes after confirmation', async () => {
    const fixture = setup(projectContext());
    await answerList(fixture);
    const c = fixture.componentInstance;
    const first = c.policies[0];

    c.confirmDelete(first);
    fixture.detectChanges();
    backend.expectNone((r) => r.method === 'DELETE');
    c.deleteDialog.confirm();
    const del = backend.expectOne('/patching/api/v1/projects/library/policies/1');
    expect(del.request.method).toBe('DELETE');
  });

  it('filters by name through the API', async () => {
    const fixture = setup(projectContext());
    await answerList(fixture);
    fixture.componentInstance.filter('night');
    const req = backend.expectOne((r) => r.url === '/patching/api/v1/projects/library/policies');
    expect(req.request.params.get('name')).toBe('night');
    expect(req.request.params.get('page')).toBe('1');
  });

  it("shows project admins whether Harbor's webhook for this service is registered", async () => {
    const fixture = setup(projectContext());
    await answerList(fixture);
    backend.expectOne('/patching/api/v1/projects/library/webhook').flush({
      registered: false,
      expected_address: 'http://h/patching/webhooks/harbor',
      address_matches: false,
      secret_configured: true,
    });
    fixture.detectChanges();
    const el = fixture.nativeElement as HTMLElement;
    expect(el.querySelector('#webhook-status')?.getAttribute('data-state')).toBe('missing');
    expect(el.querySelector('#register-webhook')).not.toBeNull();
  });

  it('does not ask about the webhook for users who cannot manage policies', async () => {
    const fixture = setup(projectContext({ canManagePolicies: false }));
    await answerList(fixture);
    backend.expectNone('/patching/api/v1/projects/library/webhook');
    expect((fixture.nativeElement as HTMLElement).querySelector('#webhook-status')).toBeNull();
  });
});
