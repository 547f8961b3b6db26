import { Injectable } from '@angular/core';
import {
  HttpErrorResponse,
  HttpEvent,
  HttpHandler,
  HttpInterceptor,
  HttpRequest,
  HttpResponse,
} from '@angular/common/http';
import { Observable, catchError, tap, throwError } from 'rxjs';
import { CSRF_HEADER, CSRF_STORAGE_KEY, SAFE_METHODS } from '../units/utils';

/**
 * Sends Harbor's CSRF token on unsafe requests, the way Harbor's portal does (intercept-http.service.ts):
 * the token comes back in the `X-Harbor-CSRF-Token` response header of every request and is kept in
 * `localStorage['__csrf']`. A 403 "CSRF token invalid" is retried once with the fresh token.
 */
@Injectable()
export class CsrfInterceptor implements HttpInterceptor {
  intercept(request: HttpRequest<unknown>, next: HttpHandler): Observable<HttpEvent<unknown>> {
    return this.send(request, next, true);
  }

  private send(request: HttpRequest<unknown>, next: HttpHandler, mayRetry: boolean): Observable<HttpEvent<unknown>> {
    return next.handle(withToken(request)).pipe(
      tap((event) => {
        if (event instanceof HttpResponse) keepToken(event.headers.get(CSRF_HEADER));
      }),
      catchError((error: unknown) => {
        if (error instanceof HttpErrorResponse) {
          keepToken(error.headers?.get(CSRF_HEADER) ?? null);
          if (mayRetry && isCsrfFailure(error) && !SAFE_METHODS.includes(request.method)) {
            return this.send(request, next, false);
          }
        }
        return throwError(() => error);
      }),
    );
  }
}

export function withToken(request: HttpRequest<unknown>): HttpRequest<unknown> {
  if (SAFE_METHODS.includes(request.method.toUpperCase())) return request;
  const token = readToken();
  return token ? request.clone({ headers: request.headers.set(CSRF_HEADER, token) }) : request;
}

function readToken(): string | null {
  try {
    return localStorage.getItem(CSRF_STORAGE_KEY);
  } catch {
    return null;
  }
}

function keepToken(token: string | null): void {
  if (!token) return;
  try {
    localStorage.setItem(CSRF_STORAGE_KEY, token);
  } catch {
    // Storage can be unavailable (private mode); requests then go without a token and the server says so.
  }
}

function isCsrfFailure(error: HttpErrorResponse): boolean {
  if (error.status !== 403) return false;
  const body = typeof error.error === 'string' ? error.error : JSON.stringify(error.error ?? '');
  return /csrf/i.test(body);
}
