import { formatNumber } from '@angular/common';
import { Component, LOCALE_ID, OnInit, inject } from '@angular/core';
import type { Observable } from 'rxjs';
import type { SystemInsights } from '../../api/models';
import type { InsightsFigure } from '../insights-figures/insights-figures.component';
import { InsightsPage } from '../insights-page';
import type { InsightsQuery } from '../insights.service';
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
export class SystemInsightsComponent extends InsightsPage<SystemInsights> implements OnInit {
  private session = inject(SessionService);
  private locale = inject(LOCALE_ID);

  get isSysAdmin(): boolean {
    return !!this.session.currentUser?.sysadmin_flag;
  }

  ngOnInit(): void {
    if (this.isSysAdmin) this.load();
  }

  protected fetch(query: InsightsQuery): Observable<SystemInsights> {
    return this.insightsApi.system(query);
  }

  protected figuresOf(i: SystemInsights): InsightsFigure[] {
    const s = i.service;
    const median =
      s.median_task_seconds === null ? '–' : formatNumber(s.median_task_seconds, this.locale, '1.0-1') + ' s';
    return [
      { id: 'figure-slots', label: 'INSIGHTS.SLOTS', value: `${s.running} / ${s.slots}` },
      { id: 'figure-queue', label: 'INSIGHTS.QUEUE', value: s.queued },
      { id: 'figure-per-hour', label: 'INSIGHTS.PER_HOUR', value: s.tasks_per_hour },
      { id: 'figure-median', label: 'INSIGHTS.MEDIAN', value: median },
      { id: 'figure-fixed', label: 'INSIGHTS.FIGURE_FIXED', value: i.totals.fixed_cves },
    ];
  }

  exportUrl(format: 'csv' | 'json', table?: string): string {
    return this.insightsApi.exportUrl(null, this.query, format, table);
  }
}
