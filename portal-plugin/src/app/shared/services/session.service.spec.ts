import { TestBed } from '@angular/core/testing';
import { HttpHeaders } from '@angular/common/http';
import { HttpTestingController } from '@angular/common/http/testing';
import { CSRF_HEADER, CSRF_STORAGE_KEY } from '../units/utils';
import { csrfHttpTesting } from '../testing/testing';
import { SessionService } from './session.service';

const tick = () => new Promise((r) => setTimeout(r));

describe('SessionService sign-in', () => {
  let session: SessionService;
  let backend: HttpTestingController;

  beforeEach(() => {
    localStorage.removeItem(CSRF_STORAGE_KEY);
    TestBed.configureTestingModule({ providers: csrfHttpTesting() });
    session = TestBed.inject(SessionService);
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    backend.verify();
    localStorage.removeItem(CSRF_STORAGE_KEY);
  });

  it("fetches Harbor's CSRF token before the login post, so the first POST /c/login carries it", async () => {
    const done = session.signIn('alice', 'Harbor12345');
    await tick();
    // Harbor's first answer sets the session cookie but, without one on the request, no token: ask again.
    backend.expectOne('/api/v2.0/systeminfo').flush({});
    await tick();
    backend.expectOne('/api/v2.0/systeminfo').flush({}, { headers: new HttpHeaders({ [CSRF_HEADER]: 'token-1' }) });
    await tick();
    const login = backend.expectOne('/c/login');
    expect(login.request.headers.get(CSRF_HEADER)).toBe('token-1');
    login.flush('');
    await done;
  });

  it('asks once when the first answer already carries the token, and shares it with the sign-in page', async () => {
    const primed = session.primeCsrfToken();
    const done = session.signIn('alice', 'Harbor12345');
    await tick();
    backend.expectOne('/api/v2.0/systeminfo').flush({}, { headers: new HttpHeaders({ [CSRF_HEADER]: 'token-2' }) });
    await primed;
    await tick();
    const login = backend.expectOne('/c/login');
    expect(login.request.headers.get(CSRF_HEADER)).toBe('token-2');
    login.flush('');
    await done;
  });
});
