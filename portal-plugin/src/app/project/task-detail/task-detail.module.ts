import { NgModule } from '@angular/core';
import { RouterModule } from '@angular/router';
import { SharedModule } from '../../shared/shared.module';
import { TaskDetailComponent } from './task-detail.component';

/** A task's page: status, before/after, fixed CVEs, VEX and log. */
@NgModule({
  declarations: [TaskDetailComponent],
  imports: [SharedModule, RouterModule.forChild([{ path: '', component: TaskDetailComponent }])],
})
export class TaskDetailModule {}
