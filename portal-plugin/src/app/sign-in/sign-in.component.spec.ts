import { TestBed } from '@angular/core/testing';
import { HttpHeaders, provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { NoopAnimationsModule } from '@angular/platform-browser/animations';
import { Router, provideRouter } from '@angular/router';
import { TranslateModule, TranslateService } from '@ngx-translate/core';
import { SharedModule } from '../shared/shared.module';
import { SignInComponent } from './sign-in.component';
import { SessionService } from '../shared/services/session.service';
import { useEnglish } from '../shared/testing/testing';

describe('SignInComponent', () => {
  let backend: HttpTestingController;
  /** Harbor's answer to the page's CSRF token request (the login post waits for it). */
  const answerTokenRequest = () =>
    backend
      .match('/api/v2.0/systeminfo')
      .forEach((r) => r.flush({}, { headers: new HttpHeaders({ 'X-Harbor-CSRF-Token': 'token' }) }));

  beforeEach(() => {
    TestBed.configureTestingModule({
      declarations: [SignInComponent],
      imports: [SharedModule, NoopAnimationsModule, TranslateModule.forRoot()],
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])],
    });
    useEnglish(TestBed.inject(TranslateService));
    backend = TestBed.inject(HttpTestingController);
  });

  it('posts principal and password form-encoded to /c/login, then reads the user and goes on', async () => {
    const fixture = TestBed.createComponent(SignInComponent);
    fixture.detectChanges();
    answerTokenRequest();
    const navigate = spyOn(TestBed.inject(Router), 'navigateByUrl').and.resolveTo(true);
    const c = fixture.componentInstance;
    c.principal = 'alice';
    c.password = 'Harbor12345';
    const done = c.signIn();
    await new Promise((r) => setTimeout(r));
    const login = backend.expectOne('/c/login');
    expect(login.request.method).toBe('POST');
    expect(login.request.headers.get('Content-Type')).toBe('application/x-www-form-urlencoded');
    expect(login.request.body).toBe('principal=alice&password=Harbor12345');
    login.flush('');
    await new Promise((r) => setTimeout(r));
    backend.expectOne('/api/v2.0/users/current').flush({ user_id: 2, username: 'alice' });
    await done;
    expect(navigate).toHaveBeenCalledWith('/projects');
  });

  it('says the credentials are wrong on a 401', async () => {
    const fixture = TestBed.createComponent(SignInComponent);
    fixture.detectChanges();
    answerTokenRequest();
    const c = fixture.componentInstance;
    c.principal = 'alice';
    c.password = 'nope';
    const done = c.signIn();
    await new Promise((r) => setTimeout(r));
    backend.expectOne('/c/login').flush('', { status: 401, statusText: 'Unauthorized' });
    await done;
    fixture.detectChanges();
    expect(fixture.nativeElement.querySelector('#login-error').textContent).toContain('Invalid user name or password');
  });

  it('says once that the session expired when a page sent the user here', () => {
    TestBed.inject(SessionService).expired = true;
    const fixture = TestBed.createComponent(SignInComponent);
    fixture.detectChanges();
    answerTokenRequest();
    expect(fixture.nativeElement.querySelector('#session-expired').textContent).toContain('Your session has expired');
    expect(TestBed.inject(SessionService).expired).toBeFalse();
    const again = TestBed.createComponent(SignInComponent);
    again.detectChanges();
    answerTokenRequest();
    expect(again.nativeElement.querySelector('#session-expired')).toBeNull();
  });
});
