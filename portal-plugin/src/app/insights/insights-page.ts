import { Directive, OnDestroy, inject } from '@angular/core';
import { TranslateService } from '@ngx-translate/core';
import { Observable, Subscription, finalize } from 'rxjs';
import type { InsightTotals, OutcomePeriod } from '../api/models';
import type { InsightsFigure } from './insights-figures/insights-figures.component';
import { RANGES } from './insights-range/insights-range.component';
import { InsightsQuery, InsightsService, rangeOfDays } from './insights.service';
import { errorMessage } from '../shared/services/patching.service';

/** What both insights answers (a project's, the system's) carry and both pages chart. */
interface OutcomeInsights {
  totals: InsightTotals;
  outcomes: OutcomePeriod[];
}

/**
 * The state and loading the project overview and the system view share: the chosen period, the answer for it
 * and its key figures, the loading and error states.
 */
@Directive()
export abstract class InsightsPage<T extends OutcomeInsights> implements OnDestroy {
  protected insightsApi = inject(InsightsService);
  protected translate = inject(TranslateService);
  private subscription?: Subscription;

  readonly ranges = RANGES;
  days = 30;
  query: InsightsQuery = rangeOfDays(30);
  insights: T | null = null;
  loading = false;
  error: string | null = null;
  figures: InsightsFigure[] = [];

  /** The request for the insights of this query. */
  protected abstract fetch(query: InsightsQuery): Observable<T>;

  /** The key figures shown above the charts. */
  protected abstract figuresOf(insights: T): InsightsFigure[];

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
    this.subscription = this.fetch(this.query)
      .pipe(finalize(() => (this.loading = false)))
      .subscribe({
        next: (i) => this.show(i),
        error: (e) => (this.error = errorMessage(e)),
      });
  }

  protected show(i: T): void {
    this.insights = i;
    this.figures = this.figuresOf(i);
  }
}
