import { Component, OnDestroy, OnInit, inject } from '@angular/core';
import { TranslateService } from '@ngx-translate/core';
import { Subscription, finalize } from 'rxjs';
import type { SystemInsights } from '../../api/models';
import type { ChartSeries } from '../insights-chart/insights-chart.component';
import { InsightsQuery, InsightsService, rangeOfDays } from '../insights.service';
import { beforeAfterSeries, fixedSeries, outcomeSeries, reasonText, severityLabels } from '../insights-view';
import { errorMessage } from '../../shared/services/patching.service';
import { SessionService } from '../../shared/services/session.service';

/**
 * The system view for Harbor system admins: the insights of every project together, a row per project and
 * the service's own load (slots in use, queue, tasks per hour, median task time).
 */
@Component({
  selector: 'hp-system-insights',
  templateUrl: './system-insights.component.html',
  styleUrls: ['./system-insights.component.scss'],
  standalone: false,
})
export class SystemInsightsComponent implements OnInit, OnDestroy {
  private insightsApi = inject(InsightsService);
  private translate = inject(TranslateService);
  private session = inject(SessionService);
  private subscription?: Subscription;

  readonly ranges = [7, 30, 90];
  days = 30;
  query: InsightsQuery = rangeOfDays(30);
  insights: SystemInsights | null = null;
  loading = false;
  error: string | null = null;
  periods: string[] = [];
  fixed: ChartSeries[] = [];
  outcomes: ChartSeries[] = [];
  beforeAfter: ChartSeries[] = [];
  severityLabels: string[] = [];

  get isSysAdmin(): boolean {
    return !!this.session.currentUser?.sysadmin_flag;
  }

  ngOnInit(): void {
    if (this.isSysAdmin) this.load();
  }

  ngOnDestroy(): void {
    this.subscription?.unsubscribe();
  }

  setRange(days: number): void {
    this.days = days;
    this.load();
  }

  load(): void {
    this.query = rangeOfDays(this.days);
    this.loading = true;
    this.error = null;
    this.subscription?.unsubscribe();
    this.subscription = this.insightsApi
      .system(this.query)
      .pipe(finalize(() => (this.loading = false)))
      .subscribe({
        next: (i) => {
          const t = this.translate;
          this.insights = i;
          this.periods = i.outcomes.map((o) => o.period);
          this.fixed = fixedSeries(t, i.outcomes);
          this.outcomes = outcomeSeries(t, i.outcomes);
          this.beforeAfter = beforeAfterSeries(t, i.totals);
          this.severityLabels = severityLabels(t);
        },
        error: (e) => (this.error = errorMessage(e)),
      });
  }

  reason(r: SystemInsights['reasons'][number]): string {
    return reasonText(this.translate, r);
  }

  exportUrl(format: 'csv' | 'json', table?: string): string {
    return this.insightsApi.exportUrl(null, this.query, format, table);
  }
}
