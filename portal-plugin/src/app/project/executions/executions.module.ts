import { NgModule } from '@angular/core';
import { RouterModule, Routes } from '@angular/router';
import { SharedModule } from '../../shared/shared.module';
import { ExecutionListComponent } from './execution-list.component';
import { TaskListComponent } from '../tasks/task-list.component';
import { ExecutionReportComponent } from './execution-report/execution-report.component';

/** The Executions tab: the executions, an execution's tasks and its printable report; a task's page is loaded on its own. */
const routes: Routes = [
  { path: '', component: ExecutionListComponent },
  { path: ':execution/tasks', component: TaskListComponent },
  { path: ':execution/report', component: ExecutionReportComponent },
  {
    path: ':execution/tasks/:task',
    loadChildren: () => import('../task-detail/task-detail.module').then((m) => m.TaskDetailModule),
  },
];

@NgModule({
  declarations: [ExecutionListComponent, TaskListComponent, ExecutionReportComponent],
  imports: [SharedModule, RouterModule.forChild(routes)],
})
export class ExecutionsModule {}
