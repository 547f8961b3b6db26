import { Component, inject } from '@angular/core';
import { TranslateService } from '@ngx-translate/core';

@Component({
  selector: 'hp-root',
  template: '<router-outlet></router-outlet>',
  standalone: false,
})
export class AppComponent {
  constructor() {
    const translate = inject(TranslateService);
    translate.setFallbackLang('en-us');
    translate.use('en-us');
  }
}
