import { Component, Input } from '@angular/core';

/** One key figure of an insights page: the number (projected content) large, its label below. */
@Component({
  selector: 'hp-figure-card',
  templateUrl: './figure-card.component.html',
  styleUrls: ['./figure-card.component.scss'],
  host: { class: 'figure-card' },
  standalone: false,
})
export class FigureCardComponent {
  /** The id of the number, for links and tests. */
  @Input({ required: true }) figureId!: string;
  /** Already translated. */
  @Input({ required: true }) label!: string;
}
