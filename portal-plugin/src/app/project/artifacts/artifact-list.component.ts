import { Component, OnDestroy, OnInit, inject } from '@angular/core';
import { ActivatedRoute, Router } from '@angular/router';
import { ClrDatagridStateInterface } from '@clr/angular';
import { Subscription, finalize } from 'rxjs';
import { classifyArtifact } from '@harbor-patching/shared/harbor/artifacts';
import { isPatchedTag } from '@harbor-patching/shared/policy';
import { HarborService } from '../../shared/services/harbor.service';
import { HarborArtifact } from '../../shared/services/harbor.models';
import { TranslateService } from '@ngx-translate/core';
import { PatchingService, TranslatedError, errorMessage } from '../../shared/services/patching.service';
import { PatchTask } from '../../shared/services/patching.models';
import { firstReport } from '../../shared/components/vulnerability-summary/vulnerability-summary.component';
import { shortDigest, sizeText } from '../../shared/units/utils';
import { ProjectContext } from '../project.resolver';

/**
 * Why Patch cannot take an artifact (an i18n key), or null when it can: the decisions the service makes
 * before copa that the artifact list already shows. Images and image indexes (patched platform by platform)
 * with an original tag are patched; an artifact produced by patching (known from its task, or from its
 * tags) never is.
 */
export function patchBlocker(a: HarborArtifact | null | undefined, producedBy?: PatchTask | null): string | null {
  if (!a) return null;
  const kind = classifyArtifact(a);
  if (kind === 'other') return 'ARTIFACT.CANNOT_PATCH.NOT_IMAGE';
  const tags = (a.tags ?? []).map((t) => t.name);
  if (producedBy || (tags.length > 0 && tags.every((t) => isPatchedTag(t)))) return 'ARTIFACT.CANNOT_PATCH.PATCHED';
  if (tags.length === 0) return 'ARTIFACT.CANNOT_PATCH.NO_TAG';
  return null;
}

/**
 * The artifacts of one repository with their vulnerability summary, as Harbor's artifact list, plus a
 * "Patch" action for users with `repository:push` that starts a patch and opens its task. An artifact
 * produced by patching links to its source and to the task that made it.
 */
@Component({
  selector: 'hp-artifact-list',
  templateUrl: './artifact-list.component.html',
  styleUrls: ['./artifact-list.component.scss'],
  standalone: false,
})
export class ArtifactListComponent implements OnInit, OnDestroy {
  private harbor = inject(HarborService);
  private patching = inject(PatchingService);
  private translate = inject(TranslateService);
  private route = inject(ActivatedRoute);
  private router = inject(Router);

  context: ProjectContext = this.route.parent!.snapshot.data['context'];
  repository = this.route.snapshot.paramMap.get('repository') ?? '';
  artifacts: HarborArtifact[] = [];
  /** The task that produced each patched artifact on the page, by digest. */
  producedBy = new Map<string, PatchTask>();
  selectedRows: HarborArtifact[] = [];
  total = 0;
  page = 1;
  pageSize = 15;
  /** The tag filter; a link from a patched artifact to its source sets it, exactly, through `?tag=`. */
  tag = this.route.snapshot.queryParamMap.get('tag') ?? '';
  /** Whether the tag came from such a link (exact match) rather than typed in the filter box (fuzzy, as Harbor's). */
  exactTag = !!this.tag;
  // The grid asks for its first page while it is being rendered: start in the loading state.
  loading = true;
  patching$ = false;
  error: string | null = null;
  private queryParams?: Subscription;

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

  /** Why the selected artifact cannot be patched (shown on the disabled button), or null. */
  /**
   * The platform column, as Harbor's artifact list shows it: `os/architecture` of an image; the platforms
   * of an image index, from its references (attestation manifests, `unknown/unknown`, left out).
   */
  platforms(a: HarborArtifact): string[] {
    if (a.references?.length) {
      return a.references
        .map((r) => r.platform)
        .filter((p): p is NonNullable<typeof p> => !!p && p.os !== 'unknown')
        .map((p) => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`);
    }
    const os = a.extra_attrs?.['os'];
    const arch = a.extra_attrs?.['architecture'];
    return typeof os === 'string' && typeof arch === 'string' && os && arch ? [`${os}/${arch}`] : [];
  }

  isIndex(a: HarborArtifact): boolean {
    return classifyArtifact(a) === 'index';
  }

  get selectedBlocker(): string | null {
    return patchBlocker(this.selected, this.selected ? this.producedBy.get(this.selected.digest) : null);
  }

  get canPatchSelected(): boolean {
    return this.canPush && !!this.selected && !this.selectedBlocker && !this.patching$;
  }

  ngOnInit(): void {
    // Following a "patched from" link stays on this page: only the tag filter changes.
    this.queryParams = this.route.queryParamMap?.subscribe((params) => {
      const tag = params.get('tag') ?? '';
      if (tag === this.tag) return;
      this.filter(tag, true);
    });
  }

  ngOnDestroy(): void {
    this.queryParams?.unsubscribe();
  }

  load(state?: ClrDatagridStateInterface): void {
    if (state?.page) {
      this.page = state.page.current ?? 1;
      this.pageSize = state.page.size ?? this.pageSize;
    }
    this.loading = true;
    this.error = null;
    this.harbor
      .listArtifacts(this.project, this.repository, {
        page: this.page,
        pageSize: this.pageSize,
        name: this.tag,
        exactTag: this.exactTag,
      })
      .pipe(finalize(() => (this.loading = false)))
      .subscribe({
        next: (p) => {
          this.artifacts = p.items;
          this.total = p.total;
          const digest = this.selected?.digest;
          this.selectedRows = p.items.filter((a) => a.digest === digest);
          this.loadProducers(p.items);
        },
        error: (e) => (this.error = errorMessage(e)),
      });
  }

  /** One question for the whole page: which of these artifacts did a patch task produce? */
  private loadProducers(items: HarborArtifact[]): void {
    this.producedBy = new Map();
    const digests = items.map((a) => a.digest).filter(Boolean);
    if (digests.length === 0) return;
    this.patching.tasksByPatchedDigest(this.project, this.repository, digests).subscribe({
      next: (tasks) => {
        const map = new Map<string, PatchTask>();
        for (const t of tasks) if (t.patched_digest && !map.has(t.patched_digest)) map.set(t.patched_digest, t);
        this.producedBy = map;
      },
      // Only the links are missing then; the list itself is fine.
      error: () => {},
    });
  }

  filter(tag: string, exact = false): void {
    this.tag = tag;
    this.exactTag = exact && !!tag;
    this.page = 1;
    this.load();
  }

  /** The tag to patch: the first original tag (Harbor lists the newest first), else the digest. */
  reference(a: HarborArtifact): string {
    const tags = (a.tags ?? []).map((t) => t.name);
    return tags.find((t) => !isPatchedTag(t)) ?? tags[0] ?? a.digest;
  }

  /** Whether Harbor lists a cosign signature among the artifact's accessories. */
  isSigned(a: HarborArtifact): boolean {
    return (a.accessories ?? []).some((x) => x.type === 'signature.cosign');
  }

  /** Copa's OpenVEX document of the task that produced a patched artifact. */
  vexUrl(t: PatchTask): string {
    return this.patching.taskVexUrl(this.project, t.execution_id, t.id);
  }

  /** The source of a patched artifact: its tag when it had one, else its short digest. */
  sourceName(t: PatchTask): string {
    return t.tag ?? shortDigest(t.source_digest);
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
