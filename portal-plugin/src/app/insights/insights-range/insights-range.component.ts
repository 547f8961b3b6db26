import { Component, EventEmitter, Input, Output } from '@angular/core';

/** The periods the insights pages offer, in days back from today. */
export const RANGES: readonly number[] = [7, 30, 90];

/** The "last N days" toggle of the insights pages: one pressed button for the period shown. */
@Component({
  selector: 'hp-insights-range',
  templateUrl: './insights-range.component.html',
  standalone: false,
})
export class InsightsRangeComponent {
  @Input() ranges: readonly number[] = RANGES;
  @Input({ required: true }) days!: number;
  @Output() daysChange = new EventEmitter<number>();
}
