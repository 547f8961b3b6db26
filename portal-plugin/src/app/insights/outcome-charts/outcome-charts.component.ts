import { Component, Input, OnChanges, inject } from '@angular/core';
import { TranslateService } from '@ngx-translate/core';
import type { InsightTotals, OutcomePeriod } from '../../api/models';
import type { ChartSeries } from '../insights-chart/insights-chart.component';
import { beforeAfterSeries, fixedSeries, outcomeSeries, severityLabels } from '../insights-view';

/**
 * The charts of what patching did in a period, in cards of the page's chart grid: CVEs fixed and task outcomes
 * per period, fixable vulnerabilities before and after per severity. With `explainEmpty`, a chart with nothing
 * to draw says so instead (the content marked `fixed-empty` explains the CVEs chart).
 */
@Component({
  selector: 'hp-outcome-charts',
  templateUrl: './outcome-charts.component.html',
  styleUrls: ['./outcome-charts.component.scss'],
  standalone: false,
})
export class OutcomeChartsComponent implements OnChanges {
  private translate = inject(TranslateService);

  @Input({ required: true }) totals!: InsightTotals;
  @Input({ required: true }) outcomes!: OutcomePeriod[];
  /** The period of a row: day, week or month. */
  @Input({ required: true }) bucket!: string;
  @Input() explainEmpty = false;

  periods: string[] = [];
  fixed: ChartSeries[] = [];
  outcomeSeries: ChartSeries[] = [];
  beforeAfter: ChartSeries[] = [];
  severityLabels: string[] = [];

  ngOnChanges(): void {
    const t = this.translate;
    this.periods = this.outcomes.map((o) => o.period);
    this.fixed = fixedSeries(t, this.outcomes);
    this.outcomeSeries = outcomeSeries(t, this.outcomes);
    this.beforeAfter = beforeAfterSeries(t, this.totals);
    this.severityLabels = severityLabels(t);
  }
}
