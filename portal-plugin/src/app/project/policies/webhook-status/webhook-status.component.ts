import { Component, Input, OnChanges, inject } from '@angular/core';
import { finalize } from 'rxjs';
import { PatchingService, errorMessage } from '../../../shared/services/patching.service';
import { WebhookRegistration } from '../../../shared/services/patching.models';

/** The Harbor event that runs event-based policies. */
export const SCAN_EVENT = 'SCANNING_COMPLETED';

export type WebhookState =
  'registered' | 'missing' | 'credential-outdated' | 'address-mismatch' | 'no-scan-events' | 'disabled';

/** What the registration means for event-based policies: only "registered" lets them run. */
export function webhookState(r: WebhookRegistration): WebhookState {
  if (!r.registered) return 'missing';
  if (!r.address_matches) return 'address-mismatch';
  // The service refuses events carrying an old credential (e.g. the service-wide secret of an older version).
  if (r.credential_current === false) return 'credential-outdated';
  if (r.event_types && !r.event_types.includes(SCAN_EVENT)) return 'no-scan-events';
  if (r.enabled === false) return 'disabled';
  return 'registered';
}

/**
 * Whether Harbor's webhook policy for this service is registered in the project and points here, with a
 * "Register webhook" (or "Update webhook") action for project admins. Event-based policies only run when
 * Harbor delivers its scan events, so the policies page and the policy modal show this.
 * Reading the registration needs project admin: for other users nothing is asked or shown.
 */
@Component({
  selector: 'hp-webhook-status',
  templateUrl: './webhook-status.component.html',
  styleUrls: ['./webhook-status.component.scss'],
  standalone: false,
})
export class WebhookStatusComponent implements OnChanges {
  private patching = inject(PatchingService);

  @Input({ required: true }) project!: string;
  @Input() canManage = false;

  registration: WebhookRegistration | null = null;
  loading = false;
  registering = false;
  loadError: string | null = null;
  registerError: string | null = null;

  get state(): WebhookState | null {
    return this.registration ? webhookState(this.registration) : null;
  }

  get alertType(): string {
    if (this.loadError) return 'danger';
    return this.state === 'registered' ? 'success' : this.state ? 'warning' : 'info';
  }

  /** The action's label: register, re-register (old credential) or update. */
  get actionKey(): string {
    if (!this.registration?.registered) return 'WEBHOOK.REGISTER';
    return this.state === 'credential-outdated' ? 'WEBHOOK.REREGISTER' : 'WEBHOOK.UPDATE';
  }

  get lastEventTime(): string | null {
    return this.registration?.recent_events?.[0]?.received_at ?? null;
  }

  ngOnChanges(): void {
    if (this.canManage && this.project) this.load();
  }

  load(): void {
    this.loading = true;
    this.loadError = null;
    this.patching
      .getWebhook(this.project)
      .pipe(finalize(() => (this.loading = false)))
      .subscribe({
        next: (r) => (this.registration = r),
        error: (e) => (this.loadError = errorMessage(e)),
      });
  }

  register(): void {
    this.registering = true;
    this.registerError = null;
    this.patching
      .registerWebhook(this.project)
      .pipe(finalize(() => (this.registering = false)))
      .subscribe({
        next: (r) => (this.registration = { ...r, recent_events: this.registration?.recent_events ?? [] }),
        error: (e) => (this.registerError = errorMessage(e)),
      });
  }
}
