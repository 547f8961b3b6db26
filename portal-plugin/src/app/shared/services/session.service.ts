import { Injectable, inject } from '@angular/core';
import { HttpClient, HttpErrorResponse, HttpHeaders } from '@angular/common/http';
import { firstValueFrom } from 'rxjs';
import { HarborUser } from './harbor.models';
import { CSRF_HEADER, HARBOR_API } from '../units/utils';

/** Who is signed in, through Harbor's own session (`sid` cookie), like Harbor's SessionService. */
@Injectable({ providedIn: 'root' })
export class SessionService {
  private http = inject(HttpClient);
  private user: HarborUser | null = null;
  private csrf: Promise<void> | null = null;
  /** Set when a page lost its session (an API answered 401); the sign-in page says so once. */
  expired = false;

  get currentUser(): HarborUser | null {
    return this.user;
  }

  /** Resolves the signed-in user; rejects with the HTTP error (401 when nobody is signed in). */
  async retrieveUser(): Promise<HarborUser> {
    this.user = await firstValueFrom(this.http.get<HarborUser>(`${HARBOR_API}/users/current`));
    return this.user;
  }

  /** Forgets the user, as Harbor's SessionService.clear() when the session is no longer valid. */
  clear(): void {
    this.user = null;
  }

  /**
   * Harbor's form login: `POST /c/login` with `principal` and `password`, form-urlencoded. Harbor always
   * CSRF-checks `/c/`, so the token is fetched first (the interceptor sends it).
   */
  async signIn(principal: string, password: string): Promise<void> {
    await this.primeCsrfToken();
    const body = new URLSearchParams({ principal, password }).toString();
    const headers = new HttpHeaders({ 'Content-Type': 'application/x-www-form-urlencoded' });
    await firstValueFrom(this.http.post('/c/login', body, { headers, responseType: 'text' }));
    this.user = null;
  }

  async signOut(): Promise<void> {
    try {
      await firstValueFrom(this.http.get('/c/log_out', { responseType: 'text' }));
    } finally {
      this.user = null;
    }
  }

  /**
   * Fetches Harbor's CSRF token with a GET, as Harbor's portal does before its login post (the CSRF
   * interceptor keeps the token from the `X-Harbor-CSRF-Token` answer header). Harbor hands the token out on
   * `/api/` only to a request that carries its session cookie, which its first answer sets: when that answer
   * brings no token, one more GET does. Callers share one fetch; a fetch that got no token is tried again next time.
   */
  primeCsrfToken(): Promise<void> {
    this.csrf ??= this.fetchCsrfToken().then((got) => {
      if (!got) this.csrf = null;
    });
    return this.csrf;
  }

  private async fetchCsrfToken(): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const res = await firstValueFrom(this.http.get(`${HARBOR_API}/systeminfo`, { observe: 'response' }));
        if (res.headers.has(CSRF_HEADER)) return true;
      } catch (error) {
        // Error answers carry the token too; without one, the login post goes without it and Harbor says why.
        if (!(error instanceof HttpErrorResponse)) return false;
        if (error.headers?.has(CSRF_HEADER)) return true;
      }
    }
    return false;
  }
}
