import { NgModule, provideZoneChangeDetection } from '@angular/core';
import { BrowserModule } from '@angular/platform-browser';
import { HTTP_INTERCEPTORS, provideHttpClient, withInterceptorsFromDi } from '@angular/common/http';
import { provideAnimations } from '@angular/platform-browser/animations';
import { TranslateModule } from '@ngx-translate/core';
import { provideTranslateHttpLoader } from '@ngx-translate/http-loader';
import { AppComponent } from './app.component';
import { AppRoutingModule } from './app-routing.module';
import { SharedModule } from './shared/shared.module';
import { CsrfInterceptor } from './shared/interceptors/csrf.interceptor';
import { SessionExpiredInterceptor } from './shared/interceptors/session-expired.interceptor';
import { registerIcons } from './shared/icons';
import { SignInComponent } from './sign-in/sign-in.component';
import { HarborShellComponent } from './base/harbor-shell.component';
import { ProjectListComponent } from './projects/project-list.component';
import { ProjectDetailComponent } from './project/project-detail.component';
import { PolicyListComponent } from './project/policies/policy-list.component';
import { CreateEditPolicyComponent } from './project/policies/create-edit-policy/create-edit-policy.component';
import { WebhookStatusComponent } from './project/policies/webhook-status/webhook-status.component';
import { ExecutionListComponent } from './project/executions/execution-list.component';
import { TaskListComponent } from './project/tasks/task-list.component';
import { TaskDetailComponent } from './project/task-detail/task-detail.component';
import { RepositoryListComponent } from './project/repositories/repository-list.component';
import { ArtifactListComponent } from './project/artifacts/artifact-list.component';

registerIcons();

@NgModule({
  declarations: [
    AppComponent,
    SignInComponent,
    HarborShellComponent,
    ProjectListComponent,
    ProjectDetailComponent,
    PolicyListComponent,
    CreateEditPolicyComponent,
    WebhookStatusComponent,
    ExecutionListComponent,
    TaskListComponent,
    TaskDetailComponent,
    RepositoryListComponent,
    ArtifactListComponent,
  ],
  imports: [
    BrowserModule,
    AppRoutingModule,
    SharedModule,
    TranslateModule.forRoot({
      fallbackLang: 'en-us',
      loader: provideTranslateHttpLoader({ prefix: 'i18n/lang/', suffix: '-lang.json' }),
    }),
  ],
  providers: [
    provideZoneChangeDetection({ eventCoalescing: true }),
    provideHttpClient(withInterceptorsFromDi()),
    provideAnimations(),
    { provide: HTTP_INTERCEPTORS, useClass: CsrfInterceptor, multi: true },
    { provide: HTTP_INTERCEPTORS, useClass: SessionExpiredInterceptor, multi: true },
  ],
  bootstrap: [AppComponent],
})
export class AppModule {}
