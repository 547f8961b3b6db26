import { Component, OnDestroy, OnInit, ViewChild, inject } from '@angular/core';
import { ActivatedRoute } from '@angular/router';
import { ClrDatagridStateInterface } from '@clr/angular';
import { Subscription, finalize, timer } from 'rxjs';
import { PatchingService, errorMessage } from '../../shared/services/patching.service';
import { Execution, PatchTask } from '../../shared/services/patching.models';
import { ConfirmationDialogComponent } from '../../shared/components/confirmation-dialog/confirmation-dialog.component';
import { canStopExecution } from '../../shared/services/permission.service';
import { durationText } from '../../shared/units/utils';
import { reasonView } from '../../shared/units/reasons';
import { artifactName, fixedCount, isTaskRunning, progressPercent } from '../../shared/units/task-view';
import { isInProgress } from '../../shared/units/execution-outcome';
import { ProjectContext } from '../project.resolver';

const REFRESH_MS = 2000;

/** The tasks of one execution, like Harbor's replication tasks page, refreshing itself while it runs. */
@Component({
  selector: 'hp-task-list',
  templateUrl: './task-list.component.html',
  styleUrls: ['./task-list.component.scss'],
  standalone: false,
})
export class TaskListComponent implements OnInit, OnDestroy {
  private patching = inject(PatchingService);
  private route = inject(ActivatedRoute);

  @ViewChild('stopDialog') stopDialog!: ConfirmationDialogComponent;

  context: ProjectContext = this.route.parent!.snapshot.data['context'];
  executionId = Number(this.route.snapshot.paramMap.get('execution'));
  execution: Execution | null = null;
  tasks: PatchTask[] = [];
  total = 0;
  page = 1;
  pageSize = 15;
  // The grid asks for its first page while it is being rendered: start in the loading state.
  loading = true;
  error: string | null = null;
  private poll?: Subscription;
  private loadedAt = new Date();

  readonly reason = reasonView;
  readonly fixed = fixedCount;
  readonly percent = progressPercent;
  readonly running = isTaskRunning;
  readonly artifact = artifactName;

  get project(): string {
    return this.context.project.name;
  }

  ngOnInit(): void {
    this.loadExecution();
  }

  ngOnDestroy(): void {
    this.poll?.unsubscribe();
  }

  loadExecution(): void {
    this.patching.getExecution(this.project, this.executionId).subscribe({
      next: (e) => {
        this.execution = e;
        this.loadedAt = new Date();
        this.schedulePoll();
      },
      error: (e) => (this.error = errorMessage(e)),
    });
  }

  load(state?: ClrDatagridStateInterface, quiet = false): void {
    if (state?.page) {
      this.page = state.page.current ?? 1;
      this.pageSize = state.page.size ?? this.pageSize;
    }
    if (!quiet) this.loading = true;
    this.error = null;
    this.patching
      .listTasks(this.project, this.executionId, { page: this.page, pageSize: this.pageSize })
      .pipe(finalize(() => (this.loading = false)))
      .subscribe({
        next: (p) => {
          this.tasks = p.items;
          this.total = p.total;
        },
        error: (e) => (this.error = errorMessage(e)),
      });
  }

  refresh(): void {
    this.loadExecution();
    this.load();
  }

  private schedulePoll(): void {
    this.poll?.unsubscribe();
    if (this.inProgress || this.tasks.some((t) => isTaskRunning(t))) {
      this.poll = timer(REFRESH_MS).subscribe(() => {
        this.load(undefined, true);
        this.loadExecution();
      });
    }
  }

  get inProgress(): boolean {
    return isInProgress(this.execution?.status);
  }

  /**
   * Stop is offered while the execution runs, to callers who may stop some execution: push (ad-hoc
   * patches) or project admin (policy runs). A finished execution has nothing to stop.
   */
  get showStop(): boolean {
    return this.inProgress && (this.context.canPush || this.context.canManagePolicies);
  }

  get mayStop(): boolean {
    return !!this.execution && canStopExecution(this.context, this.execution.trigger);
  }

  get canStop(): boolean {
    return this.inProgress && this.mayStop;
  }

  /** Why Stop is disabled when it is the caller's rights, not the status, that prevent it. */
  get stopDeniedKey(): string | null {
    if (!this.execution || !this.inProgress || this.mayStop) return null;
    return this.execution.trigger === 'ADHOC' ? 'EXECUTION.STOP_NEEDS_PUSH' : 'EXECUTION.STOP_NEEDS_ADMIN';
  }

  confirmStop(): void {
    this.stopDialog.open({
      title: 'EXECUTION.STOP_TITLE',
      message: 'EXECUTION.STOP_SUMMARY',
      params: { ids: this.executionId },
      buttonKey: 'BUTTON.STOP',
    });
  }

  stop(): void {
    this.patching.stopExecution(this.project, this.executionId).subscribe({
      next: () => this.refresh(),
      error: (e) => (this.error = errorMessage(e)),
    });
  }

  logUrl(task: PatchTask): string {
    return this.patching.taskLogUrl(this.project, this.executionId, task.id);
  }

  duration(): string {
    return durationText(this.execution?.start_time, this.execution?.end_time, this.loadedAt);
  }
}
