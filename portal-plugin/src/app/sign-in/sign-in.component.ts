import { Component, OnInit, inject } from '@angular/core';
import { ActivatedRoute, Router } from '@angular/router';
import { HttpErrorResponse } from '@angular/common/http';
import { SessionService } from '../shared/services/session.service';
import { PermissionService } from '../shared/services/permission.service';

/** Harbor's sign-in page: posts `principal` and `password` to `/c/login`, which sets the `sid` cookie. */
@Component({
  selector: 'hp-sign-in',
  templateUrl: './sign-in.component.html',
  styleUrls: ['./sign-in.component.scss'],
  standalone: false,
})
export class SignInComponent implements OnInit {
  private session = inject(SessionService);
  private permissions = inject(PermissionService);
  private router = inject(Router);
  private route = inject(ActivatedRoute);

  principal = '';
  password = '';
  signingIn = false;
  errorKey: string | null = null;
  /** Came here because the session ran out on a page (shown once). */
  sessionExpired = false;

  ngOnInit(): void {
    this.sessionExpired = this.session.expired;
    this.session.expired = false;
    void this.session.primeCsrfToken();
  }

  get canSubmit(): boolean {
    return !!this.principal.trim() && !!this.password && !this.signingIn;
  }

  async signIn(): Promise<void> {
    if (!this.canSubmit) return;
    this.signingIn = true;
    this.errorKey = null;
    this.sessionExpired = false;
    try {
      await this.session.signIn(this.principal.trim(), this.password);
      this.permissions.clear();
      await this.session.retrieveUser();
      const target = this.route.snapshot.queryParamMap.get('redirect_url') || '/projects';
      await this.router.navigateByUrl(target.startsWith('/') && !target.startsWith('/sign-in') ? target : '/projects');
    } catch (error) {
      this.errorKey =
        error instanceof HttpErrorResponse && (error.status === 401 || error.status === 403)
          ? 'SIGN_IN.INVALID'
          : 'SIGN_IN.FAILED';
    } finally {
      this.signingIn = false;
    }
  }
}
