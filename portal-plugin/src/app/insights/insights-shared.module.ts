import { NgModule } from '@angular/core';
import { SharedModule } from '../shared/shared.module';
import { InsightsChartComponent } from './insights-chart/insights-chart.component';

/** What the project overview and the system view share: the chart with its data table. Loaded with them only. */
@NgModule({
  declarations: [InsightsChartComponent],
  imports: [SharedModule],
  exports: [SharedModule, InsightsChartComponent],
})
export class InsightsSharedModule {}
