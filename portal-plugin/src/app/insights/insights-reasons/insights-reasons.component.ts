import { Component, Input, inject } from '@angular/core';
import { TranslateService } from '@ngx-translate/core';
import type { ReasonCount } from '../../api/models';
import { reasonText } from '../insights-view';

/** The tasks' outcomes by reason, in plain words ("Success 3 patched", "Error 1 scan failed"). */
@Component({
  selector: 'hp-insights-reasons',
  templateUrl: './insights-reasons.component.html',
  styleUrls: ['./insights-reasons.component.scss'],
  standalone: false,
})
export class InsightsReasonsComponent {
  private translate = inject(TranslateService);

  @Input() reasons: ReasonCount[] = [];

  text(r: ReasonCount): string {
    return reasonText(this.translate, r);
  }
}
