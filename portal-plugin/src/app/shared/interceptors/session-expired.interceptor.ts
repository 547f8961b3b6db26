import { Injectable, Injector, inject } from '@angular/core';
import { HttpErrorResponse, HttpEvent, HttpHandler, HttpInterceptor, HttpRequest } from '@angular/common/http';
import { Router } from '@angular/router';
import { Observable, catchError, throwError } from 'rxjs';
import { SessionService } from '../services/session.service';
import { PermissionService } from '../services/permission.service';
import { HARBOR_API, PATCHING_API } from '../units/utils';

export const SIGN_IN_PATH = '/sign-in';

/** Our API and Harbor's: a 401 from them means the Harbor session is gone (not a wrong password at /c/login). */
export function isSessionCall(url: string): boolean {
  const path = url.replace(/^https?:\/\/[^/]+/, '');
  return path.startsWith(`${HARBOR_API}/`) || path.startsWith(`${PATCHING_API}/`);
}

/**
 * Session expiry, as Harbor's portal handles a 401 while the user is on a page: the session is cleared and
 * the user goes to the sign-in page with the page to come back to (`redirect_url`). Nothing happens on
 * the sign-in page itself or before anyone signed in (the route guard sends those to sign-in already),
 * and several failing calls lead to one redirect. The error still reaches the caller.
 */
@Injectable()
export class SessionExpiredInterceptor implements HttpInterceptor {
  private session = inject(SessionService);
  private permissions = inject(PermissionService);
  // The router is taken when needed: it is not ready when the first interceptors are made.
  private injector = inject(Injector);

  intercept(request: HttpRequest<unknown>, next: HttpHandler): Observable<HttpEvent<unknown>> {
    return next.handle(request).pipe(
      catchError((error: unknown) => {
        if (error instanceof HttpErrorResponse && error.status === 401 && isSessionCall(request.url)) {
          this.sessionExpired();
        }
        return throwError(() => error);
      }),
    );
  }

  private sessionExpired(): void {
    if (!this.session.currentUser) return;
    const router = this.injector.get(Router);
    // During a navigation (a resolver's call failed) come back to where the user was going.
    const navigation = router.currentNavigation();
    const target = navigation ? router.serializeUrl(navigation.finalUrl ?? navigation.extractedUrl) : router.url;
    if (isSignInUrl(router.url) || isSignInUrl(target)) return;
    this.session.clear();
    this.session.expired = true;
    this.permissions.clear();
    void router.navigate([SIGN_IN_PATH], { queryParams: { redirect_url: target } });
  }
}

function isSignInUrl(url: string): boolean {
  return url === SIGN_IN_PATH || url.startsWith(`${SIGN_IN_PATH}?`) || url.startsWith(`${SIGN_IN_PATH}/`);
}
