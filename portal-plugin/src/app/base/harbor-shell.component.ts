import { Component, OnDestroy, inject } from '@angular/core';
import { ActivatedRouteSnapshot, NavigationEnd, Router } from '@angular/router';
import { Subscription, filter } from 'rxjs';
import { SessionService } from '../shared/services/session.service';
import { PermissionService } from '../shared/services/permission.service';
import { ProjectContext } from '../project/project.resolver';
import { ProjectTab } from '../project/project-tabs';

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
  /** The open project's tabs the caller may see (the left nav hides the others, as the project page does). */
  projectTabs: ProjectTab[] = [];

  constructor() {
    this.follow(this.router.url);
    this.subscription = this.router.events
      .pipe(filter((e): e is NavigationEnd => e instanceof NavigationEnd))
      .subscribe((e) => this.follow(e.urlAfterRedirects));
  }

  private follow(url: string): void {
    this.currentProject = projectOfUrl(url);
    this.projectTabs = contextOf(this.router.routerState.snapshot.root)?.tabs ?? [];
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

/** The project context the project route resolved, if a project page is open. */
function contextOf(snapshot: ActivatedRouteSnapshot | null): ProjectContext | undefined {
  for (let node = snapshot; node; node = node.firstChild) {
    const context = node.data?.['context'] as ProjectContext | undefined;
    if (context) return context;
  }
  return undefined;
}
