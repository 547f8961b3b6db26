import { Component, OnInit, inject } from '@angular/core';
import type { Observable } from 'rxjs';
import type { SystemInsights } from '../../api/models';
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

  get isSysAdmin(): boolean {
    return !!this.session.currentUser?.sysadmin_flag;
  }

  ngOnInit(): void {
    if (this.isSysAdmin) this.load();
  }

  protected fetch(query: InsightsQuery): Observable<SystemInsights> {
    return this.insightsApi.system(query);
  }

  exportUrl(format: 'csv' | 'json', table?: string): string {
    return this.insightsApi.exportUrl(null, this.query, format, table);
  }
}
