import { Injectable, inject } from '@angular/core';
import { HttpClient, HttpHeaders } from '@angular/common/http';
import { firstValueFrom } from 'rxjs';
import { HarborUser } from './harbor.models';
import { HARBOR_API } from '../units/utils';

/** Who is signed in, through Harbor's own session (`sid` cookie), like Harbor's SessionService. */
@Injectable({ providedIn: 'root' })
export class SessionService {
  private http = inject(HttpClient);
  private user: HarborUser | null = null;
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

  /** Harbor's form login: `POST /c/login` with `principal` and `password`, form-urlencoded. */
  async signIn(principal: string, password: string): Promise<void> {
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

  /** Harbor hands out a CSRF token with any answer; the sign-in page asks once so the login post carries one. */
  async primeCsrfToken(): Promise<void> {
    try {
      await firstValueFrom(this.http.get(`${HARBOR_API}/systeminfo`));
    } catch {
      // The token also comes with error answers; nothing else to do here.
    }
  }
}
