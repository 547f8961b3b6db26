import { NgModule } from '@angular/core';
import { RouterModule } from '@angular/router';
import { SharedModule } from '../shared/shared.module';
import { ProjectListComponent } from './project-list.component';

/** The projects list page. */
@NgModule({
  declarations: [ProjectListComponent],
  imports: [SharedModule, RouterModule.forChild([{ path: '', component: ProjectListComponent }])],
})
export class ProjectsModule {}
