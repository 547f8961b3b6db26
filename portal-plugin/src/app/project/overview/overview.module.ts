import { NgModule } from '@angular/core';
import { RouterModule, Routes } from '@angular/router';
import { InsightsSharedModule } from '../../insights/insights-shared.module';
import { ProjectOverviewComponent } from './project-overview/project-overview.component';

/** The Overview tab: the project's insights. Chart.js loads with the first chart, not with this module. */
const routes: Routes = [{ path: '', component: ProjectOverviewComponent }];

@NgModule({
  declarations: [ProjectOverviewComponent],
  imports: [InsightsSharedModule, RouterModule.forChild(routes)],
})
export class OverviewModule {}
