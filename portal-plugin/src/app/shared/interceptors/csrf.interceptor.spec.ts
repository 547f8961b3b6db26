import { TestBed } from '@angular/core/testing';
import { HttpClient, HttpHeaders } from '@angular/common/http';
import { HttpTestingController } from '@angular/common/http/testing';
import { CSRF_HEADER, CSRF_STORAGE_KEY } from '../units/utils';
import { csrfHttpTesting } from '../testing/testing';

describe('CsrfInterceptor', () => {
  let http: HttpClient;
  let backend: HttpTestingController;

  beforeEach(() => {
    localStorage.removeItem(CSRF_STORAGE_KEY);
    TestBed.configureTestingModule({ providers: csrfHttpTesting() });
    http = TestBed.inject(HttpClient);
    backend = TestBed.inject(HttpTestingController);
  });

  afterEach(() => {
    backend.verify();
    localStorage.removeItem(CSRF_STORAGE_KEY);
  });

  it('keeps the token Harbor sends in the response header in localStorage["__csrf"]', () => {
    http.get('/api/v2.0/users/current').subscribe();
    backend.expectOne('/api/v2.0/users/current').flush({}, { headers: new HttpHeaders({ [CSRF_HEADER]: 'token-1' }) });
    expect(localStorage.getItem(CSRF_STORAGE_KEY)).toBe('token-1');
  });

  it('keeps the token from error answers too (a 401 before sign-in)', () => {
    http.get('/api/v2.0/users/current').subscribe({ error: () => {} });
    backend
      .expectOne('/api/v2.0/users/current')
      .flush(
        { errors: [] },
        { status: 401, statusText: 'Unauthorized', headers: new HttpHeaders({ [CSRF_HEADER]: 'token-401' }) },
      );
    expect(localStorage.getItem(CSRF_STORAGE_KEY)).toBe('token-401');
  });

  it('sends the token on unsafe methods and not on safe ones', () => {
    localStorage.setItem(CSRF_STORAGE_KEY, 'token-2');
    http.post('/patching/api/v1/projects/library/policies', {}).subscribe();
    http.delete('/patching/api/v1/projects/library/policies/1').subscribe();
    http.get('/patching/api/v1/projects/library/policies').subscribe();
    const post = backend.expectOne((r) => r.method === 'POST');
    const del = backend.expectOne((r) => r.method === 'DELETE');
    const get = backend.expectOne((r) => r.method === 'GET');
    expect(post.request.headers.get(CSRF_HEADER)).toBe('token-2');
    expect(del.request.headers.get(CSRF_HEADER)).toBe('token-2');
    expect(get.request.headers.has(CSRF_HEADER)).toBeFalse();
    post.flush({});
    del.flush({});
    get.flush([]);
  });

  it('retries an unsafe request once with the fresh token after a 403 "CSRF token invalid"', () => {
    localStorage.setItem(CSRF_STORAGE_KEY, 'stale');
    let result: unknown;
    http.post('/c/login', 'principal=a&password=b').subscribe((r) => (result = r));
    const first = backend.expectOne('/c/login');
    expect(first.request.headers.get(CSRF_HEADER)).toBe('stale');
    first.flush('CSRF token invalid', {
      status: 403,
      statusText: 'Forbidden',
      headers: new HttpHeaders({ [CSRF_HEADER]: 'fresh' }),
    });
    const second = backend.expectOne('/c/login');
    expect(second.request.headers.get(CSRF_HEADER)).toBe('fresh');
    second.flush({ ok: true });
    expect(result).toEqual({ ok: true });
  });

  it('does not retry a 403 that is about permissions, nor a second CSRF failure', () => {
    localStorage.setItem(CSRF_STORAGE_KEY, 't');
    let status = 0;
    http.post('/patching/api/v1/x', {}).subscribe({ error: (e) => (status = e.status) });
    backend
      .expectOne('/patching/api/v1/x')
      .flush({ errors: [{ code: 'FORBIDDEN', message: 'no' }] }, { status: 403, statusText: 'Forbidden' });
    expect(status).toBe(403);

    let failures = 0;
    http.put('/patching/api/v1/y', {}).subscribe({ error: () => failures++ });
    backend.expectOne('/patching/api/v1/y').flush('CSRF token invalid', { status: 403, statusText: 'Forbidden' });
    backend.expectOne('/patching/api/v1/y').flush('CSRF token invalid', { status: 403, statusText: 'Forbidden' });
    expect(failures).toBe(1);
  });
});
