// Webhook delivery in Harbor's default payload format (src/pkg/notifier/model/event.go), with the target's
// auth_header as Authorization, a 3 s timeout and 3 retries (jobservice WEBHOOK job defaults).
import type { Project, SimState, WebhookDelivery } from './state';
import { now } from './state';

export const EVENT_TYPES = [
  'DELETE_ARTIFACT',
  'PULL_ARTIFACT',
  'PUSH_ARTIFACT',
  'QUOTA_EXCEED',
  'QUOTA_WARNING',
  'REPLICATION',
  'SCANNING_FAILED',
  'SCANNING_STOPPED',
  'SCANNING_COMPLETED',
  'TAG_RETENTION',
];

export interface WebhookOptions {
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
}

export interface EventResource {
  digest: string;
  tag: string;
  resource_url: string;
  scan_overview?: Record<string, unknown>;
}

export class Webhooks {
  private pending = new Set<Promise<void>>();

  constructor(
    private state: SimState,
    readonly options: WebhookOptions,
  ) {}

  emit(
    project: Project,
    eventType: string,
    operator: string,
    repository: string,
    resources: EventResource[],
    repositoryCreated: string,
    extra: Record<string, unknown> = {},
  ): void {
    const policies = this.state.webhookPolicies.filter(
      (p) => p.project_id === project.project_id && p.enabled && p.event_types.includes(eventType),
    );
    if (policies.length === 0) return;
    const name = repository.slice(repository.indexOf('/') + 1);
    const payload = {
      type: eventType,
      occur_at: Math.floor(Date.now() / 1000),
      operator,
      event_data: {
        resources,
        repository: {
          date_created: Math.floor(Date.parse(repositoryCreated) / 1000) || Math.floor(Date.now() / 1000),
          name,
          namespace: project.name,
          repo_full_name: repository,
          repo_type: project.public ? 'public' : 'private',
        },
        ...extra,
      },
    };
    for (const policy of policies)
      for (const target of policy.targets) {
        if (target.type !== 'http') continue;
        const job = this.deliver(policy.id, eventType, target.address, target.auth_header, payload).finally(() =>
          this.pending.delete(job),
        );
        this.pending.add(job);
      }
  }

  private async deliver(
    policyId: number,
    eventType: string,
    address: string,
    authHeader: string | undefined,
    payload: unknown,
  ): Promise<void> {
    const { timeoutMs, retries, retryDelayMs } = this.options;
    for (let attempt = 1; attempt <= retries + 1; attempt++) {
      const record: WebhookDelivery = {
        policy_id: policyId,
        event_type: eventType,
        address,
        attempt,
        status: null,
        ok: false,
        payload,
        time: now(),
      };
      if (authHeader) record.authorization = authHeader;
      try {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (authHeader) headers.authorization = authHeader;
        const res = await fetch(address, {
          method: 'POST',
          headers,
          body: JSON.stringify(payload),
          signal: AbortSignal.timeout(timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined);
        record.status = res.status;
        record.ok = res.status >= 200 && res.status < 300;
        if (!record.ok) record.error = `target answered ${res.status}`;
      } catch (err) {
        record.error =
          (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (err as Error).message;
      }
      this.state.webhookDeliveries.push(record);
      if (record.ok) return;
      if (attempt <= retries) await new Promise((r) => setTimeout(r, retryDelayMs * attempt));
    }
  }

  /** Resolves when every delivery started so far has finished (including retries). */
  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }
}
