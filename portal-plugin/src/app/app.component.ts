import { Component, inject } from '@angular/core';
import { ClrCommonStringsService } from '@clr/angular';
import { TranslateService } from '@ngx-translate/core';
import { localizeClarity } from './shared/units/clarity-strings';

@Component({
  selector: 'hp-root',
  template: '<router-outlet></router-outlet>',
  standalone: false,
})
export class AppComponent {
  constructor() {
    const translate = inject(TranslateService);
    // Clarity's built-in strings come from the translation file too, once it is loaded.
    localizeClarity(translate, inject(ClrCommonStringsService));
    translate.setFallbackLang('en-us');
    translate.use('en-us');
  }
}
