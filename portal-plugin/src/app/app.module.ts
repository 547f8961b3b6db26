import { NgModule, provideZoneChangeDetection } from '@angular/core';
import { BrowserModule } from '@angular/platform-browser';
import { HTTP_INTERCEPTORS, provideHttpClient, withInterceptorsFromDi } from '@angular/common/http';
import { provideAnimationsAsync } from '@angular/platform-browser/animations/async';
import {
  ClrDropdownModule,
  ClrIconModule,
  ClrMainContainerModule,
  ClrNavigationModule,
  ClrVerticalNavModule,
} from '@clr/angular';
import { TranslateModule } from '@ngx-translate/core';
import { provideTranslateHttpLoader } from '@ngx-translate/http-loader';
import { AppComponent } from './app.component';
import { AppRoutingModule } from './app-routing.module';
import { CsrfInterceptor } from './shared/interceptors/csrf.interceptor';
import { SessionExpiredInterceptor } from './shared/interceptors/session-expired.interceptor';
import { registerIcons } from './shared/icons';
import { HarborShellComponent } from './base/harbor-shell.component';
import { ProjectDetailComponent } from './project/project-detail.component';

registerIcons();

@NgModule({
  // The frame of the pages; the pages are declared in their own modules, loaded by the router (app-routing.module.ts).
  declarations: [AppComponent, HarborShellComponent, ProjectDetailComponent],
  imports: [
    BrowserModule,
    AppRoutingModule,
    // What the frame uses; the pages' modules import SharedModule.
    ClrMainContainerModule,
    ClrNavigationModule,
    ClrVerticalNavModule,
    ClrDropdownModule,
    ClrIconModule,
    TranslateModule.forRoot({
      fallbackLang: 'en-us',
      loader: provideTranslateHttpLoader({ prefix: 'i18n/lang/', suffix: '-lang.json' }),
    }),
  ],
  providers: [
    provideZoneChangeDetection({ eventCoalescing: true }),
    provideHttpClient(withInterceptorsFromDi()),
    provideAnimationsAsync(),
    { provide: HTTP_INTERCEPTORS, useClass: CsrfInterceptor, multi: true },
    { provide: HTTP_INTERCEPTORS, useClass: SessionExpiredInterceptor, multi: true },
  ],
  bootstrap: [AppComponent],
})
export class AppModule {}
