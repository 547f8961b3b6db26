import { Component, OnInit, inject } from '@angular/core';
import { ActivatedRoute, Router } from '@angular/router';
import type { Observable } from 'rxjs';
import type { BacklogRepository, ProjectInsights } from '../../../api/models';
import type { ChartSeries } from '../../../insights/insights-chart/insights-chart.component';
import type { InsightsFigure } from '../../../insights/insights-figures/insights-figures.component';
import { InsightsPage } from '../../../insights/insights-page';
import { BacklogSeverity, InsightsQuery, SEVERITIES } from '../../../insights/insights.service';
import { severityColours, severityLabels, severityValues } from '../../../insights/insights-view';
import { ProjectContext } from '../../project.resolver';

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
export class ProjectOverviewComponent extends InsightsPage<ProjectInsights> implements OnInit {
  private route = inject(ActivatedRoute);
  private router = inject(Router);

  readonly severities = BACKLOG_SEVERITIES;
  context: ProjectContext = this.route.parent!.snapshot.data['context'];
  severity: BacklogSeverity = 'High';
  severityLabels: string[] = [];
  nowVsThen: ChartSeries[] = [];

  get project(): string {
    return this.context.project.name;
  }

  ngOnInit(): void {
    this.load();
  }

  setSeverity(severity: BacklogSeverity): void {
    this.severity = severity;
    this.load();
  }

  protected fetch(query: InsightsQuery): Observable<ProjectInsights> {
    return this.insightsApi.project(this.project, query, this.severity);
  }

  protected override show(i: ProjectInsights): void {
    super.show(i);
    const t = this.translate;
    this.severityLabels = severityLabels(t);
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

  protected figuresOf(i: ProjectInsights): InsightsFigure[] {
    const t = i.totals;
    const figures: InsightsFigure[] = [
      { id: 'figure-fixed', label: 'INSIGHTS.FIGURE_FIXED', value: t.fixed_cves },
      { id: 'figure-patched', label: 'INSIGHTS.FIGURE_PATCHED', value: t.succeeded },
      { id: 'figure-skipped', label: 'INSIGHTS.FIGURE_SKIPPED', value: t.skipped },
      { id: 'figure-failed', label: 'INSIGHTS.FIGURE_FAILED', value: t.failed + t.stopped },
    ];
    const now = i.vulnerabilities?.now;
    if (now) {
      figures.push({
        id: 'figure-fixable-now',
        label: 'INSIGHTS.FIGURE_FIXABLE_NOW',
        labelParams: { n: now.artifacts },
        value: now.fixable,
      });
    }
    return figures;
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

  readonly severityNames = SEVERITIES;
}
