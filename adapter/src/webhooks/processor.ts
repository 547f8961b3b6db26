/**
 * Works through received webhook events, oldest first, off the request path:
 *  - SCANNING_COMPLETED (vulnerability scan): every enabled event-based policy of the project judges
 *    the artifact (filters, patched tags, threshold); each that selects it starts an EVENT execution
 *    with one task, unless the artifact is already being patched.
 *  - PUSH_ARTIFACT: when an event-based policy would consider the pushed tag and the project does
 *    not scan on push, asks Harbor to scan it; the scan's completion then arrives as above.
 * Transient Harbor failures leave the event for a later pass (bounded attempts).
 */
import type { PatchPolicy } from '@harbor-patching/shared/policy/model';
import { HarborError, type HarborClient } from '../harbor/client';
import { getProjectByName } from '../harbor/projects';
import { getArtifact } from '../harbor/repositories';
import { isNoScanner, triggerScan } from '../harbor/scans';
import type { PatchEngine } from '../jobs/engine';
import type { Db } from '../store/db';
import { judgeArtifact, newStats } from '../policies/evaluate';
import { compilePolicyFilters, isPatchedTag } from '../policies/filters';
import type { PolicyRunner } from '../policies/run';
import type { ArtifactEvent } from './events';
import { WebhookEventStore, type WebhookEventRecord, type WebhookEventStatus } from './store';

export interface WebhookProcessorDeps {
  db: Db;
  /** Harbor as the service robot. */
  harbor: HarborClient;
  /** Enabled event-based policies of a project. */
  eventPolicies: (project: string) => PatchPolicy[];
  runner: PolicyRunner;
  engine: PatchEngine;
  /** Attempts before an event that keeps failing is given up (default 5). */
  maxAttempts?: number;
  /** Milliseconds between passes that retry events left by failures or a restart (default 30 s). */
  retryIntervalMs?: number;
  onError?: (err: unknown, eventId?: number) => void;
}

interface Outcome {
  status: Exclude<WebhookEventStatus, 'received'>;
  message: string;
  executionIds?: number[];
}

export class WebhookProcessor {
  readonly store: WebhookEventStore;
  private pass: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: WebhookProcessorDeps) {
    this.store = new WebhookEventStore(deps.db);
  }

  /** Handles leftovers from before a restart, then retries failed events now and then. */
  start(): void {
    this.kick();
    this.timer = setInterval(() => this.kick(), this.deps.retryIntervalMs ?? 30_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.idle();
  }

  /** Records an event (before the HTTP answer) and schedules its processing. */
  accept(event: ArtifactEvent): number {
    const id = this.store.insert(event);
    setImmediate(() => this.kick());
    return id;
  }

  /** Starts a pass unless one is running (then that pass runs once more). */
  kick(): void {
    if (this.pass) {
      this.again = true;
      return;
    }
    this.pass = this.runPasses().finally(() => {
      this.pass = undefined;
    });
  }

  /** Resolves when no pass is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pass) await this.pass;
  }

  private async runPasses(): Promise<void> {
    do {
      this.again = false;
      const seen = new Set<number>();
      for (;;) {
        const batch = this.store.pending().filter((r) => !seen.has(r.id));
        if (batch.length === 0) break;
        for (const rec of batch) {
          seen.add(rec.id);
          await this.processOne(rec);
        }
      }
    } while (this.again);
  }

  private async processOne(rec: WebhookEventRecord): Promise<void> {
    try {
      const out = await this.handle(rec.event);
      this.store.finish(rec.id, out.status, out.message, out.executionIds);
    } catch (err) {
      this.deps.onError?.(err, rec.id);
      const message = err instanceof Error ? err.message : String(err);
      const transient = err instanceof HarborError ? err.transient : false;
      const attempts = this.store.retryLater(rec.id, message);
      if (!transient || attempts >= (this.deps.maxAttempts ?? 5)) {
        this.store.finish(rec.id, 'failed', `Handling the event failed: ${message}`);
      }
    }
  }

  async handle(event: ArtifactEvent): Promise<Outcome> {
    const policies = this.deps
      .eventPolicies(event.project)
      .filter((p) => p.enabled && p.trigger.type === 'event_based');
    if (policies.length === 0)
      return { status: 'ignored', message: `no enabled event-based policy in project ${event.project}` };
    if (event.type === 'PUSH_ARTIFACT') return this.onPush(event, policies);
    return this.onScanCompleted(event, policies);
  }

  private async onPush(event: ArtifactEvent, policies: PatchPolicy[]): Promise<Outcome> {
    const { harbor } = this.deps;
    if (!event.tag) return { status: 'ignored', message: 'an untagged push is not patched' };
    const full = `${event.project}/${event.repository}`;
    const interested = policies.filter((p) => {
      if (isPatchedTag(event.tag!, p)) return false;
      const f = compilePolicyFilters(p);
      return f.repository(event.repository, full) && f.tag(event.tag!);
    });
    if (interested.length === 0) {
      return {
        status: 'ignored',
        message: 'no event-based policy selects this repository and tag (or it is a patched tag)',
      };
    }
    const project = await getProjectByName(harbor, event.project);
    if (project.metadata?.auto_scan === 'true') {
      return { status: 'ignored', message: 'the project scans on push; the scan-completed event will follow' };
    }
    try {
      await triggerScan(harbor, event.project, event.repository, event.digest ?? event.tag);
    } catch (err) {
      if (err instanceof HarborError && err.status === 409)
        return { status: 'done', message: 'a scan was already running' };
      if (err instanceof HarborError && err.status === 422) {
        return { status: 'ignored', message: `Harbor cannot scan this artifact: ${err.message}` };
      }
      if (isNoScanner(err)) {
        return {
          status: 'ignored',
          message: `Harbor has no vulnerability scanner for project ${event.project} (${err.message}); event-based policies act on finished scans, so add a scanner in Harbor`,
        };
      }
      throw err;
    }
    return { status: 'done', message: 'asked Harbor to scan the pushed artifact (the project does not scan on push)' };
  }

  private async onScanCompleted(event: ArtifactEvent, policies: PatchPolicy[]): Promise<Outcome> {
    const { harbor, engine, runner } = this.deps;
    if (event.scan_type && event.scan_type !== 'vulnerability') {
      return { status: 'ignored', message: `a ${event.scan_type} scan has no vulnerabilities to patch` };
    }
    const full = `${event.project}/${event.repository}`;
    const relevant = policies.filter((p) => compilePolicyFilters(p).repository(event.repository, full));
    if (relevant.length === 0) return { status: 'ignored', message: 'no event-based policy selects this repository' };

    let artifact;
    try {
      artifact = await getArtifact(harbor, full, event.digest ?? event.tag!);
    } catch (err) {
      if (err instanceof HarborError && err.status === 404) {
        return { status: 'ignored', message: 'the artifact no longer exists' };
      }
      throw err;
    }
    const notes: string[] = [];
    const executions: number[] = [];
    for (const policy of relevant) {
      const verdict = await judgeArtifact(
        harbor,
        event.project,
        event.repository,
        artifact,
        policy,
        compilePolicyFilters(policy),
        newStats(),
      );
      if (verdict.kind === 'excluded') {
        notes.push(`policy "${policy.name}": ${verdict.reason} (${verdict.message})`);
        continue;
      }
      const busy = engine.store.activeTaskForDigest(event.project, event.repository, artifact.digest);
      if (busy) {
        notes.push(`policy "${policy.name}": already being patched by execution ${busy.execution_id}`);
        continue;
      }
      const candidate = verdict.artifact;
      if (event.tag && candidate.tags.includes(event.tag)) candidate.tag = event.tag;
      const execution = runner.startForArtifact(policy, candidate, 'EVENT');
      executions.push(execution.id);
      notes.push(`policy "${policy.name}": execution ${execution.id} patches ${event.repository}:${candidate.tag}`);
    }
    return { status: executions.length > 0 ? 'done' : 'ignored', message: notes.join('; '), executionIds: executions };
  }
}
