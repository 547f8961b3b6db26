import { Component, Input } from '@angular/core';

/**
 * An icon that explains something in a tooltip (Harbor's info-circle next to a label), as a named button so
 * keyboards and screen readers reach it. `text` and `label` are translation keys.
 */
@Component({
  selector: 'hp-help-tooltip',
  templateUrl: './help-tooltip.component.html',
  standalone: false,
})
export class HelpTooltipComponent {
  /** What the tooltip says. */
  @Input({ required: true }) text!: string;
  /** The button's name for screen readers ("How the filters work"). */
  @Input({ required: true }) label!: string;
  @Input() shape = 'info-circle';
  @Input() iconSize = '16';
  @Input() position = 'top-right';
  @Input() size: 'xs' | 'sm' | 'md' | 'lg' = 'md';
  /** Plain text shown as is (a description), instead of a translation key. */
  @Input() literal = false;
}
