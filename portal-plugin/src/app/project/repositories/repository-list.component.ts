import { Component, inject } from '@angular/core';
import { ActivatedRoute } from '@angular/router';
import { ClrDatagridStateInterface } from '@clr/angular';
import { finalize } from 'rxjs';
import { HarborService } from '../../shared/services/harbor.service';
import { HarborRepository } from '../../shared/services/harbor.models';
import { errorMessage } from '../../shared/services/patching.service';
import { repositoryNameWithoutProject } from '../../shared/units/utils';
import { ProjectContext } from '../project.resolver';

/** The project's repositories from Harbor (Harbor's repository list), leading to their artifacts. */
@Component({
  selector: 'hp-repository-list',
  templateUrl: './repository-list.component.html',
  standalone: false,
})
export class RepositoryListComponent {
  private harbor = inject(HarborService);
  private route = inject(ActivatedRoute);

  context: ProjectContext = this.route.parent!.snapshot.data['context'];
  repositories: HarborRepository[] = [];
  total = 0;
  page = 1;
  pageSize = 15;
  name = '';
  // The grid asks for its first page while it is being rendered: start in the loading state.
  loading = true;
  error: string | null = null;

  get project(): string {
    return this.context.project.name;
  }

  load(state?: ClrDatagridStateInterface): void {
    if (state?.page) {
      this.page = state.page.current ?? 1;
      this.pageSize = state.page.size ?? this.pageSize;
    }
    this.loading = true;
    this.error = null;
    this.harbor
      .listRepositories(this.project, { page: this.page, pageSize: this.pageSize, name: this.name })
      .pipe(finalize(() => (this.loading = false)))
      .subscribe({
        next: (p) => {
          this.repositories = p.items;
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

  shortName(r: HarborRepository): string {
    return repositoryNameWithoutProject(r.name, this.project);
  }
}
