import { NgModule } from '@angular/core';
import { RouterModule, Routes } from '@angular/router';
import { authGuard } from './shared/services/auth.guard';
import { HarborShellComponent } from './base/harbor-shell.component';
import { ProjectDetailComponent } from './project/project-detail.component';
import { projectResolver } from './project/project.resolver';

/**
 * Each page is a module of its own, loaded when it is first shown: sign-in, projects, each tab of a project
 * (overview, policies, executions with an execution's tasks, artifacts), the system insights and a task's page. Only the frame of the
 * signed-in pages (shell, project header with its tabs) comes with the first load, so a deep link waits for
 * one page module, not a chain of them. Pages read the project context from their parent route;
 * `paramsInheritanceStrategy: 'always'` passes it down through the lazy routes' extra level.
 */
export const routes: Routes = [
  { path: 'sign-in', loadChildren: () => import('./sign-in/sign-in.module').then((m) => m.SignInModule) },
  {
    path: '',
    component: HarborShellComponent,
    canActivate: [authGuard],
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'projects' },
      {
        path: 'projects',
        pathMatch: 'full',
        loadChildren: () => import('./projects/projects.module').then((m) => m.ProjectsModule),
      },
      {
        path: 'insights',
        loadChildren: () => import('./insights/system-insights.module').then((m) => m.SystemInsightsModule),
      },
      {
        path: 'projects/:project',
        component: ProjectDetailComponent,
        resolve: { context: projectResolver },
        runGuardsAndResolvers: 'always',
        children: [
          // The project's resolver sends the bare project to the tab the caller lands on (project-tabs.ts).
          { path: '', pathMatch: 'full', children: [] },
          {
            path: 'overview',
            loadChildren: () => import('./project/overview/overview.module').then((m) => m.OverviewModule),
          },
          {
            path: 'policies',
            loadChildren: () => import('./project/policies/policies.module').then((m) => m.PoliciesModule),
          },
          {
            path: 'executions',
            loadChildren: () => import('./project/executions/executions.module').then((m) => m.ExecutionsModule),
          },
          {
            path: 'artifacts',
            loadChildren: () => import('./project/artifacts/artifacts.module').then((m) => m.ArtifactsModule),
          },
        ],
      },
    ],
  },
  { path: '**', redirectTo: '' },
];

@NgModule({
  imports: [RouterModule.forRoot(routes, { bindToComponentInputs: false, paramsInheritanceStrategy: 'always' })],
  exports: [RouterModule],
})
export class AppRoutingModule {}
