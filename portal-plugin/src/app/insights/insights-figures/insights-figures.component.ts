import { Component, Input } from '@angular/core';

/** One key figure of an insights page. */
export interface InsightsFigure {
  /** The id of the number, for links and tests. */
  id: string;
  /** Translation key of the label, and its parameters. */
  label: string;
  labelParams?: Record<string, unknown>;
  value: string | number;
}

/** The key figures of an insights page: each number large in its own card, its label below. */
@Component({
  selector: 'hp-insights-figures',
  templateUrl: './insights-figures.component.html',
  styleUrls: ['./insights-figures.component.scss'],
  host: { class: 'figures' },
  standalone: false,
})
export class InsightsFiguresComponent {
  @Input() figures: InsightsFigure[] = [];
}
