import { AfterViewInit, Component, ViewChild, inject } from '@angular/core';
import { ActivatedRoute, Router } from '@angular/router';
import { ClrDatagridStateInterface } from '@clr/angular';
import { finalize } from 'rxjs';
import { PatchingService, errorMessage } from '../../shared/services/patching.service';
import { PatchPolicy, PolicyFilter } from '../../shared/services/patching.models';
import { ConfirmationDialogComponent } from '../../shared/components/confirmation-dialog/confirmation-dialog.component';
import { CreateEditPolicyComponent } from './create-edit-policy/create-edit-policy.component';
import { ProjectContext } from '../project.resolver';
import { nextRun } from '../../shared/units/policy-form';

const DRAFT_SEVERITIES = ['Critical', 'High', 'Medium', 'Low'];

/**
 * A new policy for one repository (its full name) at a severity: a name from the repository, the repository
 * filter, the threshold. No id, so the dialog creates it.
 */
export function policyDraftFor(repository: string, severity: string | null): PatchPolicy {
  const slug = repository
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return {
    name: `patch-${slug || 'repository'}`,
    filters: repository ? [{ type: 'repository', value: repository, decoration: 'matches', syntax: 'glob' }] : [],
    trigger: { type: 'manual' },
    severity_threshold: DRAFT_SEVERITIES.includes(severity ?? '') ? severity : 'High',
    enabled: true,
  } as PatchPolicy;
}

/** Characters of a description the list shows; the rest is in a tooltip (Harbor's rule list does the same). */
const DESCRIPTION_SHOWN = 35;

/**
 * Patch policies of a project, modeled on Harbor's replication rule list: single selection, "New patch
 * policy" for project admins, "Run" only for an enabled policy, and Edit / Enable-Deactivate / Delete;
 * Run, Enable, Deactivate and Delete ask first.
 */
@Component({
  selector: 'hp-policy-list',
  templateUrl: './policy-list.component.html',
  styleUrls: ['./policy-list.component.scss'],
  standalone: false,
})
export class PolicyListComponent implements AfterViewInit {
  private patching = inject(PatchingService);
  private route = inject(ActivatedRoute);
  private router = inject(Router);

  @ViewChild(CreateEditPolicyComponent) createEdit!: CreateEditPolicyComponent;
  @ViewChild('deleteDialog') deleteDialog!: ConfirmationDialogComponent;
  /** Asks before Run, Enable and Deactivate, as Harbor's replication rules do. */
  @ViewChild('operationDialog') operationDialog!: ConfirmationDialogComponent;

  context: ProjectContext = this.route.parent!.snapshot.data['context'];
  policies: PatchPolicy[] = [];
  selectedRows: PatchPolicy[] = [];
  total = 0;
  page = 1;
  pageSize = 15;
  name = '';
  // The grid asks for its first page while it is being rendered: start in the loading state.
  loading = true;
  error: string | null = null;
  message: string | null = null;

  get selected(): PatchPolicy | null {
    return this.selectedRows[0] ?? null;
  }

  get project(): string {
    return this.context.project.name;
  }

  get canManage(): boolean {
    return this.context.canManagePolicies;
  }

  load(state?: ClrDatagridStateInterface): void {
    if (state?.page) {
      this.page = state.page.current ?? 1;
      this.pageSize = state.page.size ?? this.pageSize;
    }
    this.loading = true;
    this.error = null;
    this.patching
      .listPolicies(this.project, { page: this.page, pageSize: this.pageSize, name: this.name })
      .pipe(finalize(() => (this.loading = false)))
      .subscribe({
        next: (p) => {
          this.policies = p.items;
          this.total = p.total;
          // Keep the selection on the same policy after a refresh, with its new values.
          const id = this.selected?.id;
          this.selectedRows = p.items.filter((x) => x.id === id);
        },
        error: (e) => (this.error = errorMessage(e)),
      });
  }

  filter(name: string): void {
    this.name = name;
    this.page = 1;
    this.load();
  }

  openNew(): void {
    this.createEdit.open(null);
  }

  /**
   * `?create=policy&repository=<project/repo>&severity=<severity>` (the Overview's backlog shortcut) opens the
   * create dialog pre-filled for that repository; the parameters are then dropped from the address.
   */
  ngAfterViewInit(): void {
    const query = this.route.snapshot.queryParamMap;
    if (query.get('create') !== 'policy' || !this.canManage) return;
    const repository = query.get('repository') ?? '';
    const draft = policyDraftFor(repository, query.get('severity'));
    // After this check: the dialog's inputs change in the same turn otherwise.
    setTimeout(() => {
      this.createEdit.open(draft);
      void this.router.navigate([], { relativeTo: this.route, queryParams: {}, replaceUrl: true });
    });
  }

  edit(policy: PatchPolicy | null): void {
    if (policy) this.createEdit.open(policy);
  }

  saved(name: string): void {
    this.message = name;
    this.load();
  }

  confirmSetEnabled(policy: PatchPolicy | null, enabled: boolean): void {
    if (!policy?.id) return;
    this.operationDialog.open({
      title: enabled ? 'POLICY.ENABLE_TITLE' : 'POLICY.DEACTIVATE_TITLE',
      message: enabled ? 'POLICY.ENABLE_SUMMARY' : 'POLICY.DEACTIVATE_SUMMARY',
      params: { name: policy.name },
      buttonKey: enabled ? 'BUTTON.ENABLE' : 'BUTTON.DEACTIVATE',
      buttonClass: enabled ? 'primary' : 'danger',
      data: { action: enabled ? 'enable' : 'disable', policy },
    });
  }

  confirmRun(policy: PatchPolicy | null): void {
    if (!policy?.id || !policy.enabled) return;
    this.operationDialog.open({
      title: 'POLICY.RUN_TITLE',
      message: 'POLICY.RUN_SUMMARY',
      params: { name: policy.name },
      buttonKey: 'POLICY.RUN',
      buttonClass: 'primary',
      data: { action: 'run', policy },
    });
  }

  /** What the operation dialog was confirmed for. */
  operate(data: unknown): void {
    const { action, policy } = data as { action: 'run' | 'enable' | 'disable'; policy: PatchPolicy };
    if (action === 'run') this.run(policy);
    else this.setEnabled(policy, action === 'enable');
  }

  setEnabled(policy: PatchPolicy | null, enabled: boolean): void {
    if (!policy?.id) return;
    this.patching.setPolicyEnabled(this.project, policy.id, enabled).subscribe({
      next: () => this.load(),
      error: (e) => (this.error = errorMessage(e)),
    });
  }

  confirmDelete(policy: PatchPolicy | null): void {
    if (!policy) return;
    this.deleteDialog.open({
      title: 'POLICY.DELETION_TITLE',
      message: 'POLICY.DELETION_SUMMARY',
      params: { name: policy.name },
      buttonKey: 'BUTTON.DELETE',
      data: policy,
    });
  }

  delete(data: unknown): void {
    const policy = data as PatchPolicy;
    if (!policy?.id) return;
    this.patching.deletePolicy(this.project, policy.id).subscribe({
      next: () => {
        this.selectedRows = [];
        this.load();
      },
      error: (e) => (this.error = errorMessage(e)),
    });
  }

  run(policy: PatchPolicy | null): void {
    if (!policy?.id || !policy.enabled) return;
    this.patching.runPolicy(this.project, policy.id).subscribe({
      next: () =>
        void this.router.navigate(['/projects', this.project, 'executions'], { queryParams: { policy_id: policy.id } }),
      error: (e) => (this.error = errorMessage(e)),
    });
  }

  filtersText(filters: PolicyFilter[] | null | undefined): string {
    if (!filters?.length) return '-';
    return filters
      .map((f) => {
        const value = Array.isArray(f.value) ? f.value.join(', ') : f.value;
        const not = f.decoration === 'excludes' ? '!' : '';
        return `${f.type}${f.type === 'label' ? '' : f.syntax === 'regex' ? '~' : ''}: ${not}${value}`;
      })
      .join('; ');
  }

  nextRunOf(policy: PatchPolicy): Date | null {
    if (policy.next_run_time) return new Date(policy.next_run_time);
    return policy.trigger?.type === 'scheduled' ? nextRun(policy.trigger.cron) : null;
  }

  truncated(text: string | undefined): string {
    if (!text) return '-';
    return text.length > DESCRIPTION_SHOWN ? text.slice(0, DESCRIPTION_SHOWN) + '...' : text;
  }

  readonly descriptionShown = DESCRIPTION_SHOWN;
}
