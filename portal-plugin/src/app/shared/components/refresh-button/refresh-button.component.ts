import { Component, EventEmitter, Input, Output } from '@angular/core';

/** Harbor's refresh icon next to a grid's filter, as a named button keyboards and screen readers reach. */
@Component({
  selector: 'hp-refresh-button',
  templateUrl: './refresh-button.component.html',
  standalone: false,
})
export class RefreshButtonComponent {
  @Input() buttonId = '';
  @Output() refresh = new EventEmitter<void>();
}
