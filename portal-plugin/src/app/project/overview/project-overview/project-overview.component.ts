import { Component, OnDestroy, OnInit, inject } from '@angular/core';
import { ActivatedRoute, Router } from '@angular/router';
import { TranslateService } from '@ngx-translate/core';
import { Subscription, finalize } from 'rxjs';
import type { BacklogRepository, ProjectInsights } from '../../../api/models';
import type { ChartSeries } from '../../../insights/insights-chart/insights-chart.component';
import {
  BacklogSeverity,
  InsightsQuery,
  InsightsService,
  rangeOfDays,
  SEVERITIES,
} from '../../../insights/insights.service';
import {
  beforeAfterSeries,
  fixedSeries,
  outcomeSeries,
  reasonText,
  severityColours,
  severityLabels,
  severityValues,
} from '../../../insights/insights-view';
import { errorMessage } from '../../../shared/services/patching.service';
import { ProjectContext } from '../../project.resolver';

export const RANGES = [7, 30, 90] as const;
export const BACKLOG_SEVERITIES: BacklogSeverity[] = ['Critical', 'High', 'Medium', 'Low'];

/** Query parameters that open the Policies tab's create dialog pre-filled (read by the policy list). */
export interface PolicyDraftParams {
  create: 'policy';
  repository: string;
  severity: BacklogSeverity;
}

/**
 * The project's Overview tab: what patching fixed in the chosen period and what is left, as charts with
 * their data tables, the backlog of uncovered repositories (with a shortcut to a policy for each), the
 * policies' next runs and CSV/JSON export.
 */
@Component({
  selector: 'hp-project-overview',
  templateUrl: './project-overview.component.html',
  styleUrls: ['./project-overview.component.scss'],
  standalone: false,
})
export class ProjectOverviewComponent implements OnInit, OnDestroy {
  private route = inject(ActivatedRoute);
  private router = inject(Router);
  private insightsApi = inject(InsightsService);
  private translate = inject(TranslateService);
  private subscription?: Subscription;

  readonly ranges = RANGES;
  readonly severities = BACKLOG_SEVERITIES;
  context: ProjectContext = this.route.parent!.snapshot.data['context'];
  days: number = 30;
  severity: BacklogSeverity = 'High';
  query: InsightsQuery = rangeOfDays(30);
  insights: ProjectInsights | null = null;
  loading = false;
  error: string | null = null;

  severityLabels: string[] = [];
  nowVsThen: ChartSeries[] = [];
  beforeAfter: ChartSeries[] = [];
  periods: string[] = [];
  fixed: ChartSeries[] = [];
  outcomes: ChartSeries[] = [];

  get project(): string {
    return this.context.project.name;
  }

  ngOnInit(): void {
    this.load();
  }

  ngOnDestroy(): void {
    this.subscription?.unsubscribe();
  }

  setRange(days: number): void {
    this.days = days;
    this.load();
  }

  setSeverity(severity: BacklogSeverity): void {
    this.severity = severity;
    this.load();
  }

  load(): void {
    this.query = rangeOfDays(this.days);
    this.loading = true;
    this.error = null;
    this.subscription?.unsubscribe();
    this.subscription = this.insightsApi
      .project(this.project, this.query, this.severity)
      .pipe(finalize(() => (this.loading = false)))
      .subscribe({
        next: (i) => this.show(i),
        error: (e) => (this.error = errorMessage(e)),
      });
  }

  private show(i: ProjectInsights): void {
    const t = this.translate;
    this.insights = i;
    this.severityLabels = severityLabels(t);
    this.periods = i.outcomes.map((o) => o.period);
    this.fixed = fixedSeries(t, i.outcomes);
    this.outcomes = outcomeSeries(t, i.outcomes);
    this.beforeAfter = beforeAfterSeries(t, i.totals);
    const v = i.vulnerabilities;
    this.nowVsThen = [];
    if (v?.then) {
      this.nowVsThen.push({
        label: t.instant('INSIGHTS.ON_DAY', { day: v.then.day }),
        values: severityValues(v.then.by_severity),
        color: severityColours(),
        dashed: true,
      });
    }
    if (v?.now) {
      this.nowVsThen.push({
        label: t.instant('INSIGHTS.NOW'),
        values: severityValues(v.now.by_severity),
        color: severityColours(),
      });
    }
  }

  reason(r: ProjectInsights['reasons'][number]): string {
    return reasonText(this.translate, r);
  }

  exportUrl(format: 'csv' | 'json', table?: string): string {
    return this.insightsApi.exportUrl(
      this.project,
      this.query,
      format,
      table,
      table === 'backlog' ? this.severity : undefined,
    );
  }

  /** The Policies tab with its create dialog open, pre-filled for this repository and severity. */
  createPolicyFor(row: BacklogRepository): void {
    const params: PolicyDraftParams = {
      create: 'policy',
      repository: `${this.project}/${row.repository}`,
      severity: this.severity,
    };
    void this.router.navigate(['/projects', this.project, 'policies'], { queryParams: params });
  }

  get hasHistory(): boolean {
    return (this.insights?.totals.tasks ?? 0) > 0;
  }

  get hasPatched(): boolean {
    return (this.insights?.totals.succeeded ?? 0) > 0;
  }

  readonly severityNames = SEVERITIES;
}
