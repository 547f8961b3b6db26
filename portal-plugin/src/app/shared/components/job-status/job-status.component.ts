import { Component, Input } from '@angular/core';

/** A job status (Pending, Running, Success, Skipped, Error, Stopped) with Harbor's status icons. */
@Component({
  selector: 'hp-job-status',
  templateUrl: './job-status.component.html',
  standalone: false,
})
export class JobStatusComponent {
  @Input() status: string | null | undefined;

  get key(): string {
    return 'STATUS.' + (this.status ?? 'UNKNOWN').toUpperCase();
  }
}
