import { NgModule } from '@angular/core';
import { SharedModule } from '../shared/shared.module';
import { ChartCardComponent } from './chart-card/chart-card.component';
import { InsightsChartComponent } from './insights-chart/insights-chart.component';
import { InsightsFiguresComponent } from './insights-figures/insights-figures.component';
import { InsightsRangeComponent } from './insights-range/insights-range.component';
import { InsightsReasonsComponent } from './insights-reasons/insights-reasons.component';
import { OutcomeChartsComponent } from './outcome-charts/outcome-charts.component';

/**
 * What the project overview and the system view share: the chart with its data table, its card, the key
 * figures, the outcome charts, the period toggle and the reasons list. Loaded with them only.
 */
const COMPONENTS = [
  InsightsChartComponent,
  ChartCardComponent,
  InsightsFiguresComponent,
  OutcomeChartsComponent,
  InsightsRangeComponent,
  InsightsReasonsComponent,
];

@NgModule({
  declarations: COMPONENTS,
  imports: [SharedModule],
  exports: [SharedModule, ...COMPONENTS],
})
export class InsightsSharedModule {}
