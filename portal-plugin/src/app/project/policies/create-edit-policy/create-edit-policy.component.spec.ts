import { TestBed, fakeAsync, tick } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { NoopAnimationsModule } from '@angular/platform-browser/animations';
import { TranslateModule, TranslateService } from '@ngx-translate/core';
import { SharedModule } from '../../../shared/shared.module';
import { CreateEditPolicyComponent, NAME_CHECK_DEBOUNCE_MS, signChoice } from './create-edit-policy.component';
import { projectContext, useEnglish } from '../../../shared/testing/testing';
import { PatchPolicy } from '../../../shared/services/patching.models';
import { WebhookStatusComponent } from '../webhook-status/webhook-status.component';

const STORED: PatchPolicy = {
  id: 7,
  project_id: 1,
  project_name: 'library',
  name: 'nightly',
  description: 'd',
  enabled: false,
  filters: [
    { type: 'repository', value: 'library/**', decoration: 'matches', syntax: 'glob' },
    { type: 'label', value: ['prod'], decoration: 'excludes' },
  ],
  trigger: { type: 'scheduled', cron: '0 0 0 * * 0' },
  severity_threshold: 'High',
  mode: 'comprehensive',
  tag_scheme: 'incremental',
  tag_suffix: 'fixed',
  options: { rescan: true, copy_labels: false, delete_original: false },
  creator: 'alice',
  updated_by: 'alice',
  creation_time: '2026-01-01T00:00:00Z',
  update_time: '2026-01-01T00:00:00Z',
};

describe('CreateEditPolicyComponent', () => {
  let backend: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      declarations: [CreateEditPolicyComponent, WebhookStatusComponent],
      imports: [SharedModule, NoopAnimationsModule, TranslateModule.forRoot()],
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    useEnglish(TestBed.inject(TranslateService));
    backend = TestBed.inject(HttpTestingController);
  });

  function create(policy: PatchPolicy | null = null) {
    const fixture = TestBed.createComponent(CreateEditPolicyComponent);
    fixture.componentInstance.context = projectContext();
    fixture.componentInstance.open(policy);
    fixture.detectChanges();
    backend
      .match((r) => r.url === '/api/v2.0/labels')
      .forEach((r) =>
        r.flush(
          r.request.params.get('scope') === 'g'
            ? [{ id: 1, name: 'prod', color: '#f00' }]
            : [{ id: 2, name: 'team-a', project_id: 1 }],
        ),
      );
    fixture.detectChanges();
    return fixture;
  }

  it('builds the request body: unused filters dropped, cron only for a scheduled trigger', () => {
    const c = create().componentInstance;
    c.form.patchValue({
      name: 'web',
      tag: { value: '1.*', decoration: 'excludes', syntax: 'regex' },
      trigger_type: 'manual',
    });
    expect(c.toPolicy()).toEqual({
      name: 'web',
      description: '',
      enabled: true,
      filters: [{ type: 'tag', value: '1.*', decoration: 'excludes', syntax: 'regex' }],
      trigger: { type: 'manual' },
      severity_threshold: 'None',
      mode: 'targeted',
      tag_scheme: 'floating',
      tag_suffix: 'patched',
      options: { rescan: true, copy_labels: true, delete_original: false },
    });
    c.form.patchValue({ trigger_type: 'scheduled', cron: '0 0 * * * *' });
    expect(c.toPolicy().trigger).toEqual({ type: 'scheduled', cron: '0 0 * * * *' });
  });

  it('sends the signing options only when chosen: the service default leaves `sign` out', () => {
    const c = create().componentInstance;
    c.form.patchValue({ name: 'web' });
    expect(c.toPolicy().options).toEqual({ rescan: true, copy_labels: true, delete_original: false });
    c.form.patchValue({ sign: 'no', require_signed_source: true });
    expect(c.toPolicy().options).toEqual({
      rescan: true,
      copy_labels: true,
      delete_original: false,
      sign: false,
      require_signed_source: true,
    });
    c.form.patchValue({ sign: 'yes' });
    expect(c.toPolicy().options?.sign).toBeTrue();
    expect(signChoice(undefined)).toBe('default');
    expect(signChoice(true)).toBe('yes');
  });

  it('fills the form from a stored policy when editing and sends a PUT', () => {
    const fixture = create(STORED);
    const c = fixture.componentInstance;
    expect(c.isEdit).toBeTrue();
    const body = c.toPolicy();
    expect(body.filters).toEqual([
      { type: 'repository', value: 'library/**', decoration: 'matches', syntax: 'glob' },
      { type: 'label', value: ['prod'], decoration: 'excludes' },
    ]);
    expect(body.trigger).toEqual({ type: 'scheduled', cron: '0 0 0 * * 0' });
    expect(body.tag_suffix).toBe('fixed');
    c.save();
    const req = backend.expectOne('/patching/api/v1/projects/library/policies/7');
    expect(req.request.method).toBe('PUT');
    expect(req.request.body.name).toBe('nightly');
    req.flush(STORED);
  });

  it('shows the name rule at the field and sends nothing for a bad name', () => {
    const fixture = create();
    const c = fixture.componentInstance;
    c.form.patchValue({ name: 'Bad Name' });
    c.save();
    fixture.detectChanges();
    backend.expectNone('/patching/api/v1/projects/library/policies');
    const error = fixture.nativeElement.querySelector('#policy-name-error') as HTMLElement;
    expect(error.textContent).toContain('lower-case letters');
  });

  it('refuses an invalid regex and a custom cron with seconds other than 0 before sending', () => {
    const fixture = create();
    const c = fixture.componentInstance;
    c.form.patchValue({ name: 'ok-name', repository: { value: '(open', syntax: 'regex' } });
    c.form.patchValue({ trigger_type: 'scheduled', cron: '7 0 * * * *' });
    c.save();
    fixture.detectChanges();
    backend.expectNone('/patching/api/v1/projects/library/policies');
    expect(fixture.nativeElement.querySelector('#filter-repository-error').textContent).toContain('RE2');
    expect(fixture.nativeElement.querySelector('#cron-error').textContent).toContain('seconds');
  });

  it('puts a server error with a field at that field, and one without a field on top', () => {
    const fixture = create();
    const c = fixture.componentInstance;
    c.form.patchValue({ name: 'web', repository: { value: 'library/**' }, tag: { value: '1.*' } });
    c.save();
    backend.expectOne('/patching/api/v1/projects/library/policies').flush(
      {
        errors: [
          { code: 'BAD_REQUEST', message: 'tag pattern refused by the server', field: 'filters[1].value' },
          { code: 'CONFLICT', message: 'a policy named "web" already exists', field: 'name' },
          { code: 'BAD_REQUEST', message: 'something general' },
        ],
      },
      { status: 400, statusText: 'Bad Request' },
    );
    fixture.detectChanges();
    expect(fixture.nativeElement.querySelector('#filter-tag-error').textContent).toContain(
      'tag pattern refused by the server',
    );
    expect(fixture.nativeElement.querySelector('#policy-name-error').textContent).toContain('already exists');
    expect(fixture.nativeElement.querySelector('.general-error').textContent).toContain('something general');
    expect(c.opened).toBeTrue();
  });

  it('shows a live preview of the patched tag', () => {
    const fixture = create();
    const preview = () => (fixture.nativeElement.querySelector('#tag-preview') as HTMLElement).textContent ?? '';
    expect(preview()).toContain('1.0-patched');
    fixture.componentInstance.form.patchValue({ tag_scheme: 'incremental', tag_suffix: 'sec' });
    fixture.detectChanges();
    expect(preview()).toContain('1.0-sec-1');
  });

  it('runs the dry run and lists what would be patched and why others not', () => {
    const fixture = create();
    const c = fixture.componentInstance;
    c.form.patchValue({ repository: { value: 'library/**' } });
    c.runPreview();
    const req = backend.expectOne('/patching/api/v1/projects/library/policies/preview');
    expect(req.request.body.name).toBe('preview');
    req.flush({
      candidates: [
        {
          repository: 'sample-app',
          repository_name: 'library/sample-app',
          digest: 'sha256:1',
          tag: '1.0',
          vulnerabilities: { fixable: 4 },
        },
      ],
      excluded: [
        {
          repository: 'chart',
          repository_name: 'library/chart',
          tags: ['0.1'],
          reason: 'NOT_IMAGE',
          message: 'chart is a Helm chart, not an image.',
          count: 1,
        },
      ],
      counts: { candidates: 1, excluded: 1 },
    });
    fixture.detectChanges();
    const text = (fixture.nativeElement.querySelector('#policy-preview') as HTMLElement).textContent ?? '';
    expect(text).toContain('1 of 2 artifacts would be patched');
    // Full repository names, as the repository filter matches them.
    expect(text).toContain('library/sample-app:1.0');
    expect(text).toContain('library/chart:0.1');
    expect(text).toContain('1.0-patched');
    expect(text).toContain('chart is a Helm chart, not an image.');
  });

  it('puts the dry-run counts first and brings the result into view, far below the form', () => {
    const scrolled: Element[] = [];
    spyOn(Element.prototype, 'scrollIntoView').and.callFake(function (this: Element) {
      scrolled.push(this);
    });
    const fixture = create();
    const c = fixture.componentInstance;
    c.runPreview();
    backend.expectOne('/patching/api/v1/projects/library/policies/preview').flush({
      candidates: [{ repository: 'sample-app', digest: 'sha256:1', tag: '1.0', vulnerabilities: { fixable: 4 } }],
      excluded: [{ repository: 'other', reason: 'FILTERED_REPOSITORY', message: 'not selected', count: 15 }],
      counts: { candidates: 1, excluded: 16, by_reason: { FILTERED_REPOSITORY: 15, NOT_IMAGE: 1 } },
    });
    fixture.detectChanges();
    const section = fixture.nativeElement.querySelector('#policy-preview') as HTMLElement;
    const counts = section.querySelector('#preview-counts') as HTMLElement;
    const table = section.querySelector('table') as HTMLElement;
    expect(counts.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    const words = (el: Element) => el.textContent!.replace(/\s+/g, ' ').replace(/ ,/g, ',').trim();
    expect(Array.from(counts.children).map(words)).toEqual([
      '1 would be patched',
      'Would skip: 15 outside the repository filter, 1 not a container image',
    ]);
    expect(scrolled).toEqual([section]);
    expect(document.activeElement).toBe(section);
  });

  it('keeps a custom cron as typed and says at the field what is wrong with it, naming the field', () => {
    const fixture = create();
    const c = fixture.componentInstance;
    c.form.patchValue({ name: 'ok-name', trigger_type: 'scheduled' });
    fixture.detectChanges();
    const preset = fixture.nativeElement.querySelector('#cron-preset') as HTMLSelectElement;
    preset.value = 'Custom';
    preset.dispatchEvent(new Event('change'));
    fixture.detectChanges();
    const input = fixture.nativeElement.querySelector('#cron-custom') as HTMLInputElement;
    const typed = (value: string) => {
      input.value = value;
      input.dispatchEvent(new Event('input'));
      fixture.detectChanges();
      return (fixture.nativeElement.querySelector('#cron-error') as HTMLElement | null)?.textContent?.trim() ?? null;
    };
    expect(typed('30 2 * * 1-5')).toBe(
      "Harbor's cron has 6 fields with the seconds first (seconds, minutes, hours, day of month, month, day of week); " +
        'add the seconds: "0 30 2 * * 1-5"',
    );
    expect(c.form.get('cron')!.value).toBe('30 2 * * 1-5');
    expect(typed('0 61 * * * *')).toBe('the minutes field (2nd) "61": 61 is above the maximum 59');
    expect(typed('0 30 2 * * 1-5')).toBeNull();
    expect(c.toPolicy().trigger).toEqual({ type: 'scheduled', cron: '0 30 2 * * 1-5' });
  });

  it('picks Harbor labels into one label filter and drops it when none is left', () => {
    const fixture = create();
    const c = fixture.componentInstance;
    expect(c.labels.map((l) => l.name)).toEqual(['prod', 'team-a']);
    c.form.patchValue({ name: 'web' });
    c.toggleLabel('prod');
    c.form.patchValue({ labels: { decoration: 'excludes' } });
    expect(c.toPolicy().filters).toEqual([{ type: 'label', value: ['prod'], decoration: 'excludes' }]);
    c.toggleLabel('prod');
    expect(c.toPolicy().filters).toEqual([]);
  });

  it('shows the webhook registration under the trigger when the trigger is "on scan completed"', () => {
    const fixture = create();
    const url = '/patching/api/v1/projects/library/webhook';
    backend.expectNone(url);
    expect(fixture.nativeElement.querySelector('#webhook-status')).toBeNull();
    fixture.componentInstance.form.patchValue({ trigger_type: 'event_based' });
    fixture.detectChanges();
    backend.expectOne(url).flush({
      registered: true,
      name: 'harbor-patching',
      enabled: true,
      event_types: ['SCANNING_COMPLETED'],
      address: 'http://old/patching/webhooks/harbor',
      expected_address: 'http://new/patching/webhooks/harbor',
      address_matches: false,
      secret_configured: true,
    });
    fixture.detectChanges();
    const status = fixture.nativeElement.querySelector('#webhook-status') as HTMLElement;
    expect(status.getAttribute('data-state')).toBe('address-mismatch');
    expect(status.textContent).toContain('http://new/patching/webhooks/harbor');
  });

  describe('live name check', () => {
    const LIST = '/patching/api/v1/projects/library/policies';

    function type(fixture: ReturnType<typeof create>, name: string) {
      const input = fixture.nativeElement.querySelector('#policy-name') as HTMLInputElement;
      input.value = name;
      input.dispatchEvent(new Event('input'));
      input.dispatchEvent(new KeyboardEvent('keyup', { key: name.slice(-1) }));
    }

    it('asks the list API once typing pauses and shows "already exists" at the field; Save then sends nothing', fakeAsync(() => {
      const fixture = create();
      type(fixture, 'nig');
      tick(100);
      type(fixture, 'nightly');
      tick(NAME_CHECK_DEBOUNCE_MS - 1);
      backend.expectNone((r) => r.url === LIST);
      tick(1);
      const req = backend.expectOne((r) => r.url === LIST);
      expect(req.request.params.get('name')).toBe('nightly');
      expect(req.request.params.get('page_size')).toBe('100');
      fixture.detectChanges();
      expect(fixture.nativeElement.querySelector('#policy-name-checking')).not.toBeNull();
      // "name contains": the exact name is there among others.
      req.flush([{ ...STORED, id: 9, name: 'nightly-web' }, STORED], { headers: { 'X-Total-Count': '2' } });
      fixture.detectChanges();
      expect(fixture.nativeElement.querySelector('#policy-name-checking')).toBeNull();
      const error = fixture.nativeElement.querySelector('#policy-name-error') as HTMLElement;
      expect(error.textContent).toContain('A patch policy named nightly already exists in this project');
      expect(fixture.nativeElement.querySelector('.clr-form-control.clr-error #policy-name')).not.toBeNull();

      fixture.componentInstance.save();
      backend.expectNone((r) => r.method === 'POST');

      // Changing the name clears the error until the next check.
      type(fixture, 'nightly-2');
      fixture.detectChanges();
      expect(fixture.nativeElement.querySelector('#policy-name-error')).toBeNull();
      tick(NAME_CHECK_DEBOUNCE_MS);
      backend.expectOne((r) => r.url === LIST).flush([], { headers: { 'X-Total-Count': '0' } });
      fixture.detectChanges();
      expect(fixture.nativeElement.querySelector('#policy-name-error')).toBeNull();
      fixture.componentInstance.save();
      backend.expectOne((r) => r.method === 'POST' && r.url === LIST).flush({ ...STORED, id: 10, name: 'nightly-2' });
    }));

    it('does not flag the policy being edited, nor names that only contain the typed one', fakeAsync(() => {
      const fixture = create(STORED);
      type(fixture, 'nightly');
      tick(NAME_CHECK_DEBOUNCE_MS);
      backend.expectOne((r) => r.url === LIST).flush([STORED, { ...STORED, id: 9, name: 'nightly-web' }]);
      fixture.detectChanges();
      expect(fixture.nativeElement.querySelector('#policy-name-error')).toBeNull();
    }));

    it('does not ask for a name the name rule already refuses, and checks again after reopening', fakeAsync(() => {
      const fixture = create();
      type(fixture, 'Bad Name');
      tick(NAME_CHECK_DEBOUNCE_MS);
      backend.expectNone((r) => r.url === LIST);
      type(fixture, 'web');
      tick(NAME_CHECK_DEBOUNCE_MS);
      backend.expectOne((r) => r.url === LIST).flush([]);
      fixture.componentInstance.close();
      fixture.componentInstance.open(null);
      fixture.detectChanges();
      backend.match((r) => r.url === '/api/v2.0/labels').forEach((r) => r.flush([]));
      type(fixture, 'web');
      tick(NAME_CHECK_DEBOUNCE_MS);
      backend.expectOne((r) => r.url === LIST).flush([{ ...STORED, id: 3, name: 'web' }]);
      fixture.detectChanges();
      expect((fixture.nativeElement.querySelector('#policy-name-error') as HTMLElement).textContent).toContain(
        'named web already exists',
      );
    }));

    it('keeps the server answer: a 409 when the name was taken meanwhile shows at the field', fakeAsync(() => {
      const fixture = create();
      const c = fixture.componentInstance;
      type(fixture, 'web');
      tick(NAME_CHECK_DEBOUNCE_MS);
      backend.expectOne((r) => r.url === LIST).flush([]);
      c.save();
      backend
        .expectOne((r) => r.method === 'POST')
        .flush(
          {
            errors: [
              { code: 'CONFLICT', message: 'a policy named "web" already exists in project "library"', field: 'name' },
            ],
          },
          { status: 409, statusText: 'Conflict' },
        );
      fixture.detectChanges();
      expect((fixture.nativeElement.querySelector('#policy-name-error') as HTMLElement).textContent).toContain(
        'already exists in project "library"',
      );
      expect(c.opened).toBeTrue();
    }));
  });
});
