import { Component, EventEmitter, Output } from '@angular/core';

export interface ConfirmationMessage<T = unknown> {
  title: string;
  message: string;
  params?: Record<string, unknown>;
  buttonKey?: string;
  /** The confirm button's look: `danger` (delete, stop, deactivate; the default) or `primary` (run, enable). */
  buttonClass?: 'danger' | 'primary';
  data?: T;
}

/** Harbor's confirmation-dialog: a small modal that asks before an action (delete, stop, run, enable, ...). */
@Component({
  selector: 'hp-confirmation-dialog',
  templateUrl: './confirmation-dialog.component.html',
  standalone: false,
})
export class ConfirmationDialogComponent {
  @Output() confirmAction = new EventEmitter<unknown>();
  opened = false;
  message: ConfirmationMessage | null = null;

  open(message: ConfirmationMessage): void {
    this.message = message;
    this.opened = true;
  }

  cancel(): void {
    this.opened = false;
  }

  confirm(): void {
    this.opened = false;
    this.confirmAction.emit(this.message?.data);
  }
}
