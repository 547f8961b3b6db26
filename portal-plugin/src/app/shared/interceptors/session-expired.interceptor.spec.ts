import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { HTTP_INTERCEPTORS, HttpClient, provideHttpClient, withInterceptorsFromDi } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { Router, provideRouter } from '@angular/router';
import { SessionExpiredInterceptor, isSessionCall } from './session-expired.interceptor';
import { SessionService } from '../services/session.service';
import { PermissionService } from '../services/permission.service';

@Component({ selector: 'hp-blank', template: '', standalone: true })
class BlankComponent {}

const UNAUTHORIZED = { status: 401, statusText: 'Unauthorized' };

describe('SessionExpiredInterceptor', () => {
  let http: HttpClient;
  let backend: HttpTestingController;
  let router: Router;
  let session: SessionService;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(withInterceptorsFromDi()),
        provideHttpClientTesting(),
        { provide: HTTP_INTERCEPTORS, useClass: SessionExpiredInterceptor, multi: true },
        provideRouter([
          { path: 'sign-in', component: BlankComponent },
          { path: 'projects/:project/policies', component: BlankComponent },
        ]),
      ],
    });
    http = TestBed.inject(HttpClient);
    backend = TestBed.inject(HttpTestingController);
    router = TestBed.inject(Router);
    session = TestBed.inject(SessionService);
  });

  afterEach(() => backend.verify());

  async function signedInOn(url: string) {
    const user = session.retrieveUser();
    backend.expectOne('/api/v2.0/users/current').flush({ user_id: 2, username: 'alice' });
    await user;
    await router.navigateByUrl(url);
  }

  const settle = () => new Promise((r) => setTimeout(r));

  it('sends the user to sign in with the page as return URL when our API answers 401, and the caller still gets the error', async () => {
    await signedInOn('/projects/library/policies?page=2');
    const permissions = spyOn(TestBed.inject(PermissionService), 'clear').and.callThrough();
    let status = 0;
    http.get('/patching/api/v1/projects/library/policies').subscribe({ error: (e) => (status = e.status) });
    backend.expectOne('/patching/api/v1/projects/library/policies').flush({ errors: [] }, UNAUTHORIZED);
    await settle();
    expect(status).toBe(401);
    expect(router.url).toBe('/sign-in?redirect_url=%2Fprojects%2Flibrary%2Fpolicies%3Fpage%3D2');
    expect(session.currentUser).toBeNull();
    expect(session.expired).toBeTrue();
    expect(permissions).toHaveBeenCalled();
  });

  it('does the same for Harbor API calls, and several failing calls lead to one redirect', async () => {
    await signedInOn('/projects/library/policies');
    const navigate = spyOn(router, 'navigate').and.callThrough();
    http.get('/api/v2.0/projects/library').subscribe({ error: () => {} });
    http.get('/api/v2.0/labels').subscribe({ error: () => {} });
    http.get('/patching/api/v1/projects/library/executions').subscribe({ error: () => {} });
    backend.expectOne('/api/v2.0/projects/library').flush({}, UNAUTHORIZED);
    backend.expectOne('/api/v2.0/labels').flush({}, UNAUTHORIZED);
    backend.expectOne('/patching/api/v1/projects/library/executions').flush({}, UNAUTHORIZED);
    await settle();
    expect(navigate).toHaveBeenCalledTimes(1);
    expect(router.url).toBe('/sign-in?redirect_url=%2Fprojects%2Flibrary%2Fpolicies');
  });

  it('leaves other answers alone: 403, a wrong password at /c/login, and calls before anyone signed in', async () => {
    await signedInOn('/projects/library/policies');
    const navigate = spyOn(router, 'navigate').and.callThrough();
    http.get('/patching/api/v1/projects/library/webhook').subscribe({ error: () => {} });
    backend.expectOne('/patching/api/v1/projects/library/webhook').flush({}, { status: 403, statusText: 'Forbidden' });
    http.post('/c/login', 'principal=a&password=b').subscribe({ error: () => {} });
    backend.expectOne('/c/login').flush('', UNAUTHORIZED);
    await settle();
    expect(navigate).not.toHaveBeenCalled();
    expect(session.currentUser).not.toBeNull();

    session.clear();
    http.get('/api/v2.0/users/current').subscribe({ error: () => {} });
    backend.expectOne('/api/v2.0/users/current').flush({}, UNAUTHORIZED);
    await settle();
    expect(navigate).not.toHaveBeenCalled();
  });

  it('does not loop on the sign-in page itself', async () => {
    await signedInOn('/sign-in?redirect_url=%2Fprojects');
    const navigate = spyOn(router, 'navigate').and.callThrough();
    http.get('/api/v2.0/systeminfo').subscribe({ error: () => {} });
    backend.expectOne('/api/v2.0/systeminfo').flush({}, UNAUTHORIZED);
    await settle();
    expect(navigate).not.toHaveBeenCalled();
    expect(router.url).toBe('/sign-in?redirect_url=%2Fprojects');
  });

  it('knows which calls carry the session', () => {
    expect(isSessionCall('/api/v2.0/users/current')).toBeTrue();
    expect(isSessionCall('/patching/api/v1/projects/a/policies')).toBeTrue();
    expect(isSessionCall('http://harbor.example/api/v2.0/projects')).toBeTrue();
    expect(isSessionCall('/c/login')).toBeFalse();
    expect(isSessionCall('/c/log_out')).toBeFalse();
    expect(isSessionCall('i18n/lang/en-us-lang.json')).toBeFalse();
  });
});
