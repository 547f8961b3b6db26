import { Component, OnDestroy, OnInit, inject } from '@angular/core';
import { ActivatedRoute } from '@angular/router';
import { Subscription, timer } from 'rxjs';
import { PatchingService, errorMessage } from '../../shared/services/patching.service';
import { PatchTask } from '../../shared/services/patching.models';
import { PlatformResult } from '../../api/models';
import { ReasonView, reasonView } from '../../shared/units/reasons';
import { artifactName, fixedCount, isTaskRunning, progressPercent } from '../../shared/units/task-view';
import { severityCounts } from '../../shared/components/vulnerability-summary/vulnerability-summary.component';
import { durationText } from '../../shared/units/utils';
import { ProjectContext } from '../project.resolver';

const REFRESH_MS = 2000;
const ROWS = ['Critical', 'High', 'Medium', 'Low', 'Unknown'];

export interface BeforeAfterRow {
  severity: string;
  before: number;
  after: number | null;
}

/** Vulnerabilities before and after patching, one row per severity plus the total. */
export function beforeAfterRows(task: PatchTask): BeforeAfterRow[] {
  const before = severityCounts(task.vulnerabilities_before);
  const after = task.vulnerabilities_after ? severityCounts(task.vulnerabilities_after) : null;
  const count = (list: { severity: string; count: number }[], s: string) =>
    list.find((x) => x.severity === s)?.count ?? 0;
  const rows = ROWS.map((severity) => ({
    severity,
    before: count(before.bySeverity, severity),
    after: after ? count(after.bySeverity, severity) : null,
  })).filter((r) => r.before > 0 || (r.after ?? 0) > 0);
  rows.push({ severity: 'Total', before: before.total, after: after ? after.total : null });
  return rows;
}

/** One patch task: where it is, what it changed, and, when it did not patch, why in plain words. */
@Component({
  selector: 'hp-task-detail',
  templateUrl: './task-detail.component.html',
  styleUrls: ['./task-detail.component.scss'],
  standalone: false,
})
export class TaskDetailComponent implements OnInit, OnDestroy {
  private patching = inject(PatchingService);
  private route = inject(ActivatedRoute);

  context: ProjectContext = this.route.parent!.snapshot.data['context'];
  executionId = Number(this.route.snapshot.paramMap.get('execution'));
  taskId = Number(this.route.snapshot.paramMap.get('task'));
  task: PatchTask | null = null;
  error: string | null = null;
  private poll?: Subscription;
  private loadedAt = new Date();

  get project(): string {
    return this.context.project.name;
  }

  ngOnInit(): void {
    this.load();
  }

  ngOnDestroy(): void {
    this.poll?.unsubscribe();
  }

  load(): void {
    this.poll?.unsubscribe();
    this.patching.getTask(this.project, this.executionId, this.taskId).subscribe({
      next: (t) => {
        this.task = t;
        this.loadedAt = new Date();
        this.error = null;
        if (isTaskRunning(t)) this.poll = timer(REFRESH_MS).subscribe(() => this.load());
      },
      error: (e) => (this.error = errorMessage(e)),
    });
  }

  get running(): boolean {
    return !!this.task && isTaskRunning(this.task);
  }

  get reason(): ReasonView | null {
    return this.task ? reasonView(this.task) : null;
  }

  get rows(): BeforeAfterRow[] {
    return this.task ? beforeAfterRows(this.task) : [];
  }

  get fixed(): number | null {
    return this.task ? fixedCount(this.task) : null;
  }

  get percent(): number {
    return this.task ? progressPercent(this.task) : 0;
  }

  get name(): string {
    return this.task ? artifactName(this.task) : '';
  }

  get duration(): string {
    return durationText(this.task?.start_time, this.task?.end_time, this.loadedAt);
  }

  get alertType(): 'danger' | 'warning' | 'info' {
    if (this.task?.status === 'Error') return 'danger';
    if (this.task?.status === 'Stopped') return 'warning';
    return 'info';
  }

  get logUrl(): string {
    return this.patching.taskLogUrl(this.project, this.executionId, this.taskId);
  }

  get vexUrl(): string {
    return this.patching.taskVexUrl(this.project, this.executionId, this.taskId);
  }

  /** An image index task: one row per platform image. */
  get platforms(): PlatformResult[] {
    return this.task?.platforms ?? [];
  }

  platformVexUrl(platform: string): string {
    return this.patching.taskVexUrl(this.project, this.executionId, this.taskId, platform);
  }

  /** The translation key of a platform's status, and of why it was kept as it is. */
  platformStatusKey(p: PlatformResult): string {
    return `TASK.PLATFORM_STATUS_${p.status.toUpperCase()}`;
  }

  /** `sample-app_1.0-patched.vex.json`: the patched image's name, safe as a file name. */
  get vexFileName(): string {
    const t = this.task;
    const name = `${t?.repository ?? 'image'}_${t?.patched_tag ?? t?.tag ?? this.taskId}`;
    return `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.vex.json`;
  }
}
