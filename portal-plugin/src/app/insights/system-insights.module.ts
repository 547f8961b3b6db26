import { NgModule } from '@angular/core';
import { RouterModule, Routes } from '@angular/router';
import { InsightsSharedModule } from './insights-shared.module';
import { SystemInsightsComponent } from './system-insights/system-insights.component';

/** The system view of the insights (Harbor system admins). */
const routes: Routes = [{ path: '', component: SystemInsightsComponent }];

@NgModule({
  declarations: [SystemInsightsComponent],
  imports: [InsightsSharedModule, RouterModule.forChild(routes)],
})
export class SystemInsightsModule {}
