import { Component, OnDestroy, inject } from '@angular/core';
import { NavigationEnd, Router } from '@angular/router';
import { Subscription, filter } from 'rxjs';
import { SessionService } from '../shared/services/session.service';
import { PermissionService } from '../shared/services/permission.service';

/** The frame of every signed-in page, as Harbor's harbor-shell: header with the user menu, left nav, content. */
@Component({
  selector: 'hp-harbor-shell',
  templateUrl: './harbor-shell.component.html',
  styleUrls: ['./harbor-shell.component.scss'],
  standalone: false,
})
export class HarborShellComponent implements OnDestroy {
  private session = inject(SessionService);
  private permissions = inject(PermissionService);
  private router = inject(Router);
  private subscription: Subscription;

  collapsed = false;
  currentProject: string | null = null;

  constructor() {
    this.currentProject = projectOfUrl(this.router.url);
    this.subscription = this.router.events
      .pipe(filter((e): e is NavigationEnd => e instanceof NavigationEnd))
      .subscribe((e) => (this.currentProject = projectOfUrl(e.urlAfterRedirects)));
  }

  ngOnDestroy(): void {
    this.subscription.unsubscribe();
  }

  get username(): string {
    return this.session.currentUser?.username ?? '';
  }

  get isSysAdmin(): boolean {
    return !!this.session.currentUser?.sysadmin_flag;
  }

  async signOut(): Promise<void> {
    try {
      await this.session.signOut();
    } finally {
      this.permissions.clear();
      await this.router.navigate(['/sign-in']);
    }
  }
}

export function projectOfUrl(url: string): string | null {
  const m = /^\/projects\/([^/?#]+)/.exec(url);
  return m ? decodeURIComponent(m[1]) : null;
}
