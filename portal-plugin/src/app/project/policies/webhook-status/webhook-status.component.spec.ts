import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { NoopAnimationsModule } from '@angular/platform-browser/animations';
import { TranslateModule, TranslateService } from '@ngx-translate/core';
import { SharedModule } from '../../../shared/shared.module';
import { WebhookStatusComponent, webhookState } from './webhook-status.component';
import { useEnglish } from '../../../shared/testing/testing';
import { WebhookRegistration } from '../../../shared/services/patching.models';

const URL = '/patching/api/v1/projects/library/webhook';
const EXPECTED = 'https://harbor.example/patching/webhooks/harbor';

const registered = (over: Partial<WebhookRegistration> = {}): WebhookRegistration => ({
  registered: true,
  id: 4,
  name: 'harbor-patching',
  enabled: true,
  event_types: ['SCANNING_COMPLETED', 'PUSH_ARTIFACT'],
  address: EXPECTED,
  expected_address: EXPECTED,
  address_matches: true,
  has_auth_header: true,
  credential_current: true,
  secret_configured: true,
  recent_events: [],
  ...over,
});
const missing: WebhookRegistration = {
  registered: false,
  expected_address: EXPECTED,
  address_matches: false,
  secret_configured: true,
  recent_events: [],
};

describe('WebhookStatusComponent', () => {
  let backend: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      declarations: [WebhookStatusComponent],
      imports: [SharedModule, NoopAnimationsModule, TranslateModule.forRoot()],
      providers: [provideHttpClient(), provideHttpClientTesting()],
    });
    useEnglish(TestBed.inject(TranslateService));
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => backend.verify());

  function create(canManage = true) {
    const fixture = TestBed.createComponent(WebhookStatusComponent);
    fixture.componentRef.setInput('project', 'library');
    fixture.componentRef.setInput('canManage', canManage);
    fixture.detectChanges();
    return fixture;
  }

  const el = (f: ReturnType<typeof create>) => f.nativeElement as HTMLElement;
  const text = (f: ReturnType<typeof create>) => el(f).querySelector('#webhook-status-text')?.textContent ?? '';
  const dataState = (f: ReturnType<typeof create>) =>
    el(f).querySelector('#webhook-status')?.getAttribute('data-state');

  /** Clicks the action (checking its label), answers the POST it sends with a registered webhook. */
  function clickAction(f: ReturnType<typeof create>, label: string, status = 200) {
    const button = el(f).querySelector('#register-webhook') as HTMLButtonElement;
    expect(button.textContent).toContain(label);
    button.click();
    const req = backend.expectOne(URL);
    expect(req.request.method).toBe('POST');
    req.flush(registered(), { status, statusText: status === 201 ? 'Created' : 'OK' });
    f.detectChanges();
  }

  it('tells the states apart: only a matching, enabled policy with scan events lets event-based policies run', () => {
    expect(webhookState(registered())).toBe('registered');
    expect(webhookState(missing)).toBe('missing');
    expect(webhookState(registered({ address: 'http://old/x', address_matches: false }))).toBe('address-mismatch');
    expect(webhookState(registered({ event_types: ['PUSH_ARTIFACT'] }))).toBe('no-scan-events');
    expect(webhookState(registered({ enabled: false }))).toBe('disabled');
    expect(webhookState(registered({ credential_current: false }))).toBe('credential-outdated');
  });

  it('says an old credential must be re-registered, and re-registers it', () => {
    const f = create();
    backend.expectOne(URL).flush(registered({ credential_current: false }));
    f.detectChanges();
    expect(dataState(f)).toBe('credential-outdated');
    expect(text(f)).toContain('carries an old credential');
    expect(text(f)).toContain('re-register it');
    clickAction(f, 'RE-REGISTER WEBHOOK');
    expect(dataState(f)).toBe('registered');
  });

  it('shows a registered webhook and its address, with no action', () => {
    const f = create();
    expect(dataState(f)).toBe('loading');
    backend.expectOne(URL).flush(registered());
    f.detectChanges();
    expect(dataState(f)).toBe('registered');
    expect(text(f)).toContain(`sends scan events to ${EXPECTED}`);
    expect(el(f).querySelector('#register-webhook')).toBeNull();
  });

  it('registers a missing webhook on "Register webhook" and then shows it registered', () => {
    const f = create();
    backend.expectOne(URL).flush(missing);
    f.detectChanges();
    expect(dataState(f)).toBe('missing');
    expect(text(f)).toContain('not registered in this project');
    clickAction(f, 'REGISTER WEBHOOK', 201);
    expect(dataState(f)).toBe('registered');
    expect(el(f).querySelector('#register-webhook')).toBeNull();
  });

  it('names both addresses when Harbor sends elsewhere, and offers "Update webhook"', () => {
    const f = create();
    backend
      .expectOne(URL)
      .flush(registered({ address: 'http://old-host/patching/webhooks/harbor', address_matches: false }));
    f.detectChanges();
    expect(dataState(f)).toBe('address-mismatch');
    expect(text(f)).toContain('sends events to http://old-host/patching/webhooks/harbor');
    expect(text(f)).toContain(`reached at ${EXPECTED}`);
    expect((el(f).querySelector('#register-webhook') as HTMLElement).textContent).toContain('UPDATE WEBHOOK');
  });

  it('says the secret is missing and disables the action; a refused registration is explained', () => {
    const f = create();
    backend.expectOne(URL).flush({ ...missing, secret_configured: false });
    f.detectChanges();
    expect(text(f)).toContain('PATCHING_WEBHOOK_SECRET');
    expect((el(f).querySelector('#register-webhook') as HTMLButtonElement).disabled).toBeTrue();

    f.componentInstance.registration = missing;
    f.componentInstance.register();
    backend
      .expectOne(URL)
      .flush(
        { errors: [{ code: 'BAD_GATEWAY', message: 'Harbor refused the service robot while registering' }] },
        { status: 502, statusText: 'Bad Gateway' },
      );
    f.detectChanges();
    expect(el(f).querySelector('#webhook-register-error')?.textContent).toContain(
      'Registering the webhook failed: Harbor refused the service robot',
    );
  });

  it('shows a read failure with a retry', () => {
    const f = create();
    backend
      .expectOne(URL)
      .flush(
        { errors: [{ code: 'BAD_GATEWAY', message: 'Harbor refused' }] },
        { status: 502, statusText: 'Bad Gateway' },
      );
    f.detectChanges();
    expect(dataState(f)).toBe('error');
    expect(text(f)).toContain('Harbor refused');
    (el(f).querySelector('#reload-webhook') as HTMLButtonElement).click();
    backend.expectOne(URL).flush(registered());
    f.detectChanges();
    expect(dataState(f)).toBe('registered');
  });

  it('asks nothing and shows nothing to users who are not project admins', () => {
    const f = create(false);
    backend.expectNone(URL);
    expect(el(f).querySelector('#webhook-status')).toBeNull();
  });
});
