import { NgModule } from '@angular/core';
import { RouterModule, Routes } from '@angular/router';
import { authGuard } from './shared/services/auth.guard';
import { SignInComponent } from './sign-in/sign-in.component';
import { HarborShellComponent } from './base/harbor-shell.component';
import { ProjectListComponent } from './projects/project-list.component';
import { ProjectDetailComponent } from './project/project-detail.component';
import { projectResolver } from './project/project.resolver';
import { PolicyListComponent } from './project/policies/policy-list.component';
import { ExecutionListComponent } from './project/executions/execution-list.component';
import { TaskListComponent } from './project/tasks/task-list.component';
import { TaskDetailComponent } from './project/task-detail/task-detail.component';
import { RepositoryListComponent } from './project/repositories/repository-list.component';
import { ArtifactListComponent } from './project/artifacts/artifact-list.component';

export const routes: Routes = [
  { path: 'sign-in', component: SignInComponent },
  {
    path: '',
    component: HarborShellComponent,
    canActivate: [authGuard],
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'projects' },
      { path: 'projects', component: ProjectListComponent },
      {
        path: 'projects/:project',
        component: ProjectDetailComponent,
        resolve: { context: projectResolver },
        runGuardsAndResolvers: 'always',
        children: [
          // The project's resolver sends the bare project to the tab the caller lands on (project-tabs.ts).
          { path: '', pathMatch: 'full', children: [] },
          { path: 'policies', component: PolicyListComponent },
          { path: 'executions', component: ExecutionListComponent },
          { path: 'executions/:execution/tasks', component: TaskListComponent },
          { path: 'executions/:execution/tasks/:task', component: TaskDetailComponent },
          { path: 'artifacts', component: RepositoryListComponent },
          { path: 'artifacts/:repository', component: ArtifactListComponent },
        ],
      },
    ],
  },
  { path: '**', redirectTo: '' },
];

@NgModule({
  imports: [RouterModule.forRoot(routes, { bindToComponentInputs: false })],
  exports: [RouterModule],
})
export class AppRoutingModule {}
