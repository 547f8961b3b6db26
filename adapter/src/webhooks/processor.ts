/**
 * Works through received webhook events, oldest first, off the request path. Nothing is done on the
 * payload's word alone: each event's artifact is first looked up in Harbor as the service robot, and the
 * event is dropped (with the reason logged and stored) unless the project, repository, digest and tag
 * all exist and agree. Then:
 *  - SCANNING_COMPLETED (vulnerability scan): every enabled event-based policy of the project judges
 *    the artifact (filters, patched tags, threshold); each that selects it starts an EVENT execution
 *    with one task, unless the artifact is already being patched.
 *  - PUSH_ARTIFACT: when an event-based policy would consider the pushed tag and the project does
 *    not scan on push, asks Harbor to scan it; the scan's completion then arrives as above.
 * Transient Harbor failures leave the event for a later pass (bounded attempts). Each event is claimed in the
 * store first: where several processes (replicas) share the database, one of them handles it.
 */
import type { PatchPolicy } from '@harbor-patching/shared/policy/model';
import { HarborError, type HarborClient } from '../harbor/client';
import { getProjectByName } from '../harbor/projects';
import { getArtifact } from '../harbor/repositories';
import { isNoScanner, triggerScan } from '../harbor/scans';
import type { PatchEngine } from '../jobs/engine';
import { judgeArtifact, newStats } from '../policies/evaluate';
import { compilePolicyFilters, isPatchedTag } from '../policies/filters';
import type { PolicyRunner } from '../policies/run';
import type { HarborArtifact } from '../harbor/repositories';
import type { ArtifactEvent } from '../model/webhook-event';
import type { WebhookEventRecord, WebhookEventStatus, WebhookEventStore } from '../store/webhook-events';

/** `sha256-<hex>.sig|.att|.sbom`: where cosign's tag scheme stores what it attaches to an image. */
const COSIGN_TAG = /^sha256-[a-f0-9]{64}\.(sig|att|sbom)$/;

export interface WebhookProcessorDeps {
  store: WebhookEventStore;
  /** Who claims the events it handles (the replica id; default 'local'): of several processes, one handles each. */
  owner?: string;
  /** Harbor as the service robot. */
  harbor: HarborClient;
  /** Enabled event-based policies of a project. */
  eventPolicies: (project: string) => Promise<PatchPolicy[]>;
  runner: PolicyRunner;
  engine: PatchEngine;
  /** Attempts before an event that keeps failing is given up (default 5). */
  maxAttempts?: number;
  /** Milliseconds between passes that retry events left by failures or a restart (default 30 s). */
  retryIntervalMs?: number;
  onError?: (err: unknown, eventId?: number) => void;
  /** Told about every dropped event, with the reason (the module logs it as a warning). */
  onDropped?: (event: ArtifactEvent, reason: string, eventId: number) => void;
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
    this.store = deps.store;
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

  /** Records the events of one delivery (before the HTTP answer) and schedules their processing. */
  async accept(events: ArtifactEvent[]): Promise<number[]> {
    const ids = await this.store.insertAll(events);
    setImmediate(() => this.kick());
    return ids;
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
        const batch = (await this.store.pending()).filter((r) => !seen.has(r.id));
        if (batch.length === 0) break;
        for (const rec of batch) {
          seen.add(rec.id);
          await this.processOne(rec);
        }
      }
    } while (this.again);
  }

  private async processOne(rec: WebhookEventRecord): Promise<void> {
    if (!(await this.store.claim(rec.id, this.deps.owner ?? 'local'))) return;
    try {
      const out = await this.handle(rec.event);
      if (out.status === 'dropped') this.deps.onDropped?.(rec.event, out.message, rec.id);
      await this.store.finish(rec.id, out.status, out.message, out.executionIds);
    } catch (err) {
      this.deps.onError?.(err, rec.id);
      const message = err instanceof Error ? err.message : String(err);
      const transient = err instanceof HarborError ? err.transient : false;
      const attempts = await this.store.retryLater(rec.id, message);
      if (!transient || attempts >= (this.deps.maxAttempts ?? 5)) {
        await this.store.finish(rec.id, 'failed', `Handling the event failed: ${message}`);
      }
    }
  }

  async handle(event: ArtifactEvent): Promise<Outcome> {
    const confirmed = await this.confirm(event);
    if ('dropped' in confirmed) return { status: 'dropped', message: confirmed.dropped };
    const policies = (await this.deps.eventPolicies(event.project)).filter(
      (p) => p.enabled && p.trigger.type === 'event_based',
    );
    if (policies.length === 0)
      return { status: 'ignored', message: `no enabled event-based policy in project ${event.project}` };
    if (event.type === 'PUSH_ARTIFACT') return this.onPush(event, policies);
    return this.onScanCompleted(event, policies, confirmed.artifact);
  }

  /** The artifact as Harbor has it, when it agrees with everything the event says; else why the event is dropped. */
  private async confirm(event: ArtifactEvent): Promise<{ artifact: HarborArtifact } | { dropped: string }> {
    const full = `${event.project}/${event.repository}`;
    const what = `${full}@${event.digest}`;
    if (typeof event.project_id !== 'number') {
      return { dropped: 'the event was received before per-project webhook credentials and is not trusted' };
    }
    let artifact: HarborArtifact;
    try {
      artifact = await getArtifact(this.deps.harbor, full, event.digest);
    } catch (err) {
      if (err instanceof HarborError && (err.status === 404 || err.status === 403)) {
        return { dropped: `Harbor has no artifact ${what} (HTTP ${err.status})` };
      }
      throw err;
    }
    if (artifact.digest !== event.digest) {
      return { dropped: `Harbor answered artifact ${artifact.digest} for ${what}` };
    }
    if (artifact.project_id !== event.project_id) {
      return {
        dropped: `artifact ${what} belongs to project id ${String(artifact.project_id)}, the event was accepted for project id ${event.project_id}`,
      };
    }
    if (artifact.repository_name !== undefined && artifact.repository_name !== full) {
      return { dropped: `artifact ${what} is in repository ${artifact.repository_name}, not ${full}` };
    }
    if (event.tag !== undefined && !(artifact.tags ?? []).some((t) => t.name === event.tag)) {
      return { dropped: `tag ${event.tag} is not on artifact ${what} in Harbor` };
    }
    return { artifact };
  }

  private async onPush(event: ArtifactEvent, policies: PatchPolicy[]): Promise<Outcome> {
    const { harbor } = this.deps;
    if (!event.tag) return { status: 'ignored', message: 'an untagged push is not patched' };
    // cosign's tag scheme (the service's own signatures among them): accessories, never patched.
    if (COSIGN_TAG.test(event.tag)) {
      return { status: 'ignored', message: 'a cosign signature, attestation or SBOM tag is not patched' };
    }
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
      await triggerScan(harbor, event.project, event.repository, event.digest);
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

  private async onScanCompleted(
    event: ArtifactEvent,
    policies: PatchPolicy[],
    artifact: HarborArtifact,
  ): Promise<Outcome> {
    const { harbor, engine, runner } = this.deps;
    if (event.scan_type && event.scan_type !== 'vulnerability') {
      return { status: 'ignored', message: `a ${event.scan_type} scan has no vulnerabilities to patch` };
    }
    const full = `${event.project}/${event.repository}`;
    const relevant = policies.filter((p) => compilePolicyFilters(p).repository(event.repository, full));
    if (relevant.length === 0) return { status: 'ignored', message: 'no event-based policy selects this repository' };

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
      const candidate = verdict.artifact;
      if (event.tag && candidate.tags.includes(event.tag)) candidate.tag = event.tag;
      const note = await engine.forArtifact(event.project, event.repository, artifact.digest, async () => {
        const busy = await engine.store.activeTaskForDigest(event.project, event.repository, artifact.digest);
        if (busy) return `policy "${policy.name}": already being patched by execution ${busy.execution_id}`;
        const execution = await runner.startForArtifact(policy, candidate, 'EVENT');
        executions.push(execution.id);
        return `policy "${policy.name}": execution ${execution.id} patches ${event.repository}:${candidate.tag}`;
      });
      notes.push(note);
    }
    return { status: executions.length > 0 ? 'done' : 'ignored', message: notes.join('; '), executionIds: executions };
  }
}
