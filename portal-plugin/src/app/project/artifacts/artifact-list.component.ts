import { Component, inject } from '@angular/core';
import { ActivatedRoute, Router } from '@angular/router';
import { ClrDatagridStateInterface } from '@clr/angular';
import { finalize } from 'rxjs';
import { HarborService } from '../../shared/services/harbor.service';
import { HarborArtifact } from '../../shared/services/harbor.models';
import { TranslateService } from '@ngx-translate/core';
import { PatchingService, TranslatedError, errorMessage } from '../../shared/services/patching.service';
import { firstReport } from '../../shared/components/vulnerability-summary/vulnerability-summary.component';
import { shortDigest, sizeText } from '../../shared/units/utils';
import { ProjectContext } from '../project.resolver';

/** Only container images can be patched (not Helm charts, signatures or SBOMs). */
export function isPatchable(a: HarborArtifact | null | undefined): boolean {
  return !!a && (a.type ?? 'IMAGE').toUpperCase() === 'IMAGE';
}

/**
 * The artifacts of one repository with their vulnerability summary, as Harbor's artifact list, plus a
 * "Patch" action for users with `repository:push` that starts a patch and opens its task.
 */
@Component({
  selector: 'hp-artifact-list',
  templateUrl: './artifact-list.component.html',
  styleUrls: ['./artifact-list.component.scss'],
  standalone: false,
})
export class ArtifactListComponent {
  private harbor = inject(HarborService);
  private patching = inject(PatchingService);
  private translate = inject(TranslateService);
  private route = inject(ActivatedRoute);
  private router = inject(Router);

  context: ProjectContext = this.route.parent!.snapshot.data['context'];
  repository = this.route.snapshot.paramMap.get('repository') ?? '';
  artifacts: HarborArtifact[] = [];
  selectedRows: HarborArtifact[] = [];
  total = 0;
  page = 1;
  pageSize = 15;
  tag = '';
  // The grid asks for its first page while it is being rendered: start in the loading state.
  loading = true;
  patching$ = false;
  error: string | null = null;

  readonly report = firstReport;
  readonly size = sizeText;
  readonly digest = shortDigest;

  get selected(): HarborArtifact | null {
    return this.selectedRows[0] ?? null;
  }

  get project(): string {
    return this.context.project.name;
  }

  get canPush(): boolean {
    return this.context.canPush;
  }

  get canPatchSelected(): boolean {
    return this.canPush && isPatchable(this.selected) && !this.patching$;
  }

  load(state?: ClrDatagridStateInterface): void {
    if (state?.page) {
      this.page = state.page.current ?? 1;
      this.pageSize = state.page.size ?? this.pageSize;
    }
    this.loading = true;
    this.error = null;
    this.harbor
      .listArtifacts(this.project, this.repository, { page: this.page, pageSize: this.pageSize, name: this.tag })
      .pipe(finalize(() => (this.loading = false)))
      .subscribe({
        next: (p) => {
          this.artifacts = p.items;
          this.total = p.total;
          const digest = this.selected?.digest;
          this.selectedRows = p.items.filter((a) => a.digest === digest);
        },
        error: (e) => (this.error = errorMessage(e)),
      });
  }

  filter(tag: string): void {
    this.tag = tag;
    this.page = 1;
    this.load();
  }

  /** The tag to patch: the first tag (Harbor lists the newest first), else the digest. */
  reference(a: HarborArtifact): string {
    return a.tags?.[0]?.name ?? a.digest;
  }

  patch(a: HarborArtifact | null): void {
    if (!a || !this.canPatchSelected) return;
    this.patching$ = true;
    this.error = null;
    this.patching
      .patchArtifact(this.project, this.repository, this.reference(a))
      .pipe(finalize(() => (this.patching$ = false)))
      .subscribe({
        next: (started) =>
          void this.router.navigate([
            '/projects',
            this.project,
            'executions',
            started.execution_id,
            'tasks',
            started.task_id,
          ]),
        error: (e) => (this.error = e instanceof TranslatedError ? this.translate.instant(e.key) : errorMessage(e)),
      });
  }
}
