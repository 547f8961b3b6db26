import { Component, OnDestroy, OnInit, ViewChild, inject } from '@angular/core';
import { ActivatedRoute } from '@angular/router';
import { ClrDatagridSortOrder, ClrDatagridStateInterface } from '@clr/angular';
import { Subscription, finalize, timer } from 'rxjs';
import { PatchingService, errorMessage } from '../../shared/services/patching.service';
import { Execution } from '../../shared/services/patching.models';
import { ConfirmationDialogComponent } from '../../shared/components/confirmation-dialog/confirmation-dialog.component';
import { canStopExecution } from '../../shared/services/permission.service';
import { durationText } from '../../shared/units/utils';
import { isInProgress, successRate } from '../../shared/units/execution-outcome';
import { ProjectContext } from '../project.resolver';
import { EXECUTION_STATUS } from '../../api/models/execution-status-array';
import { EXECUTION_TRIGGER } from '../../api/models/execution-trigger-array';

/** The columns the API sorts by (`sort=id`, `sort=-start_time`). */
export type ExecutionSortField = 'id' | 'start_time';
const REFRESH_MS = 3000;

/** Executions of the project's policies and ad-hoc patches, like Harbor's replication executions grid. */
@Component({
  selector: 'hp-execution-list',
  templateUrl: './execution-list.component.html',
  styleUrls: ['./execution-list.component.scss'],
  standalone: false,
})
export class ExecutionListComponent implements OnInit, OnDestroy {
  private patching = inject(PatchingService);
  private route = inject(ActivatedRoute);

  @ViewChild('stopDialog') stopDialog!: ConfirmationDialogComponent;

  context: ProjectContext = this.route.parent!.snapshot.data['context'];
  readonly statuses = EXECUTION_STATUS;
  readonly triggers = EXECUTION_TRIGGER;
  executions: Execution[] = [];
  selected: Execution[] = [];
  total = 0;
  page = 1;
  pageSize = 15;
  filterBy: 'status' | 'trigger' = 'status';
  filterValue = '';
  policyId: number | undefined = Number(this.route.snapshot.queryParamMap.get('policy_id')) || undefined;
  /** Newest first, like Harbor; the ID and Start Time headers change it. */
  sort: string = '-id';
  readonly sortOrder = { id: ClrDatagridSortOrder.DESC, start_time: ClrDatagridSortOrder.UNSORTED };
  // The grid asks for its first page while it is being rendered: start in the loading state.
  loading = true;
  error: string | null = null;
  private poll?: Subscription;
  private policyNames = new Map<number, string>();
  /** Running executions show their duration up to the last refresh (stable within one render). */
  private loadedAt = new Date();

  get project(): string {
    return this.context.project.name;
  }

  ngOnInit(): void {
    // Executions name their policy by id; the grid shows the name, like Harbor's replication executions.
    this.patching.listPolicies(this.project, { page: 1, pageSize: 100 }).subscribe({
      next: (p) => p.items.forEach((policy) => this.policyNames.set(policy.id, policy.name)),
      error: () => {},
    });
    // The filter chip names its policy even when it is not among the first hundred.
    if (this.policyId) {
      const id = this.policyId;
      this.patching.getPolicy(this.project, id).subscribe({
        next: (policy) => this.policyNames.set(policy.id, policy.name),
        error: () => {},
      });
    }
  }

  ngOnDestroy(): void {
    this.poll?.unsubscribe();
  }

  policyName(id: number): string {
    return this.policyNames.get(id) ?? `#${id}`;
  }

  load(state?: ClrDatagridStateInterface, quiet = false): void {
    if (state?.page) {
      this.page = state.page.current ?? 1;
      this.pageSize = state.page.size ?? this.pageSize;
    }
    if (state) this.sort = sortOf(state);
    if (!quiet) this.loading = true;
    this.error = null;
    this.patching
      .listExecutions(this.project, {
        page: this.page,
        pageSize: this.pageSize,
        policy_id: this.policyId,
        status: this.filterBy === 'status' ? this.filterValue || undefined : undefined,
        trigger: this.filterBy === 'trigger' ? this.filterValue || undefined : undefined,
        sort: this.sort,
      })
      .pipe(finalize(() => (this.loading = false)))
      .subscribe({
        next: (p) => {
          this.executions = p.items;
          this.total = p.total;
          this.loadedAt = new Date();
          const ids = new Set(this.selected.map((s) => s.id));
          this.selected = p.items.filter((e) => ids.has(e.id));
          this.schedulePoll();
        },
        error: (e) => (this.error = errorMessage(e)),
      });
  }

  /** While something runs, the grid refreshes itself (Harbor does the same on its tasks page). */
  private schedulePoll(): void {
    this.poll?.unsubscribe();
    if (this.executions.some((e) => isInProgress(e.status))) {
      this.poll = timer(REFRESH_MS).subscribe(() => this.load(undefined, true));
    }
  }

  changeFilterBy(by: 'status' | 'trigger'): void {
    this.filterBy = by;
    this.filterValue = '';
    this.load();
  }

  changeFilter(value: string): void {
    this.filterValue = value;
    this.page = 1;
    this.load();
  }

  clearPolicy(): void {
    this.policyId = undefined;
    this.load();
  }

  /**
   * Stop is offered to callers who may stop some execution (push for ad-hoc patches, project admin for
   * policy runs), and only while something on the page still runs: finished executions cannot be stopped.
   */
  get showStop(): boolean {
    return (
      (this.context.canPush || this.context.canManagePolicies) && this.executions.some((e) => isInProgress(e.status))
    );
  }

  mayStop(e: Execution): boolean {
    return canStopExecution(this.context, e.trigger);
  }

  get canStop(): boolean {
    return this.selected.length > 0 && this.selected.every((e) => isInProgress(e.status) && this.mayStop(e));
  }

  /** Why Stop is disabled when it is the caller's rights, not the status, that prevent it. */
  get stopDeniedKey(): string | null {
    const denied = this.selected.find((e) => isInProgress(e.status) && !this.mayStop(e));
    if (!denied) return null;
    return denied.trigger === 'ADHOC' ? 'EXECUTION.STOP_NEEDS_PUSH' : 'EXECUTION.STOP_NEEDS_ADMIN';
  }

  confirmStop(): void {
    this.stopDialog.open({
      title: 'EXECUTION.STOP_TITLE',
      message: 'EXECUTION.STOP_SUMMARY',
      params: { ids: this.selected.map((e) => e.id).join(', ') },
      buttonKey: 'BUTTON.STOP',
      data: [...this.selected],
    });
  }

  stop(data: unknown): void {
    for (const e of data as Execution[]) {
      this.patching.stopExecution(this.project, e.id).subscribe({
        next: () => this.load(),
        error: (err) => (this.error = errorMessage(err)),
      });
    }
  }

  duration(e: Execution): string {
    return durationText(e.start_time, e.end_time, this.loadedAt);
  }

  rate(e: Execution): number | null {
    return successRate(e);
  }
}

/** The API's `sort` from the grid's state: `-id` (newest first) unless a sortable header says otherwise. */
export function sortOf(state: ClrDatagridStateInterface): string {
  const by = state.sort?.by;
  if (by !== 'id' && by !== 'start_time') return '-id';
  return `${state.sort!.reverse ? '-' : ''}${by}`;
}
