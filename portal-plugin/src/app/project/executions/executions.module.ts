import { NgModule } from '@angular/core';
import { RouterModule, Routes } from '@angular/router';
import { SharedModule } from '../../shared/shared.module';
import { ExecutionListComponent } from './execution-list.component';
import { TaskListComponent } from '../tasks/task-list.component';

/** The Executions tab: the executions and an execution's tasks; a task's page is loaded on its own. */
const routes: Routes = [
  { path: '', component: ExecutionListComponent },
  { path: ':execution/tasks', component: TaskListComponent },
  {
    path: ':execution/tasks/:task',
    loadChildren: () => import('../task-detail/task-detail.module').then((m) => m.TaskDetailModule),
  },
];

@NgModule({
  declarations: [ExecutionListComponent, TaskListComponent],
  imports: [SharedModule, RouterModule.forChild(routes)],
})
export class ExecutionsModule {}
