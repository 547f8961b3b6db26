import { Component, Input } from '@angular/core';
import type { ChartSeries } from '../insights-chart/insights-chart.component';

/**
 * A chart of an insights page in its card. When there is nothing to draw (`empty`), the card keeps the chart's
 * title and shows the content marked `empty` instead (what to do about it); other content always follows.
 */
@Component({
  selector: 'hp-chart-card',
  templateUrl: './chart-card.component.html',
  styleUrls: ['./chart-card.component.scss'],
  host: { class: 'card chart-card' },
  standalone: false,
})
export class ChartCardComponent {
  @Input({ required: true }) chartId!: string;
  /** Already translated. */
  @Input({ required: true }) caption!: string;
  /** Header of the data table's first column (already translated). */
  @Input() categoryHeader = '';
  @Input() labels: string[] = [];
  @Input() series: ChartSeries[] = [];
  @Input() stacked = false;
  @Input() empty = false;
}
