import { Component, inject } from '@angular/core';
import { ClrDatagridStateInterface } from '@clr/angular';
import { finalize } from 'rxjs';
import { HarborService } from '../shared/services/harbor.service';
import { HarborProject, ROLE } from '../shared/services/harbor.models';
import { errorMessage } from '../shared/services/patching.service';

const ROLE_KEYS: Record<number, string> = {
  [ROLE.PROJECT_ADMIN]: 'ROLE.PROJECT_ADMIN',
  [ROLE.DEVELOPER]: 'ROLE.DEVELOPER',
  [ROLE.GUEST]: 'ROLE.GUEST',
  [ROLE.MAINTAINER]: 'ROLE.MAINTAINER',
  [ROLE.LIMITED_GUEST]: 'ROLE.LIMITED_GUEST',
};

/** The projects the user can see, from Harbor's `/api/v2.0/projects` (Harbor's project list page). */
@Component({
  selector: 'hp-project-list',
  templateUrl: './project-list.component.html',
  styleUrls: ['./project-list.component.scss'],
  standalone: false,
})
export class ProjectListComponent {
  private harbor = inject(HarborService);

  projects: HarborProject[] = [];
  total = 0;
  page = 1;
  pageSize = 15;
  name = '';
  // The grid asks for its first page while it is being rendered: start in the loading state.
  loading = true;
  error: string | null = null;

  load(state?: ClrDatagridStateInterface): void {
    if (state?.page) {
      this.page = state.page.current ?? 1;
      this.pageSize = state.page.size ?? this.pageSize;
    }
    this.loading = true;
    this.error = null;
    this.harbor
      .listProjects({ page: this.page, pageSize: this.pageSize, name: this.name })
      .pipe(finalize(() => (this.loading = false)))
      .subscribe({
        next: (p) => {
          this.projects = p.items;
          this.total = p.total;
        },
        error: (e) => (this.error = errorMessage(e)),
      });
  }

  filter(name: string): void {
    this.name = name;
    this.page = 1;
    this.load();
  }

  roleKey(p: HarborProject): string {
    const role = p.current_user_role_ids?.[0] ?? p.current_user_role_id;
    return role ? (ROLE_KEYS[role] ?? 'ROLE.NONE') : 'ROLE.NONE';
  }

  isPublic(p: HarborProject): boolean {
    return p.metadata?.public === 'true';
  }
}
