/**
 * Harbor's scan events as the end of a task's wait for a scan. When a project's webhook policy delivers scan
 * events to this service (it exists, is enabled, names SCANNING_COMPLETED and carries the project's current
 * credential), a task listens for the artifact's SCANNING_COMPLETED / SCANNING_FAILED / SCANNING_STOPPED
 * before asking for the scan, and reads the outcome from Harbor as soon as one arrives. An event only wakes
 * the wait: what the task records is what Harbor answers then. Without the webhook the wait polls
 * (harbor/scans.ts).
 *
 * Whether a project's webhook delivers is asked of Harbor at most once a minute per project (registering it
 * through this service forgets the answer at once).
 */
import type { HarborClient } from '../harbor/client';
import { getProjectByName } from '../harbor/projects';
import type { ScanAnnouncements } from '../harbor/scans';
import { findPatchingWebhook } from '../harbor/webhooks';
import { isCurrentAuthHeader } from './credential';

const key = (project: string, repository: string, digest: string) => `${project}/${repository}@${digest}`;

export interface ScanListener extends ScanAnnouncements {
  close(): void;
}

export class ScanEvents {
  private readonly listeners = new Map<string, Set<() => void>>();
  private readonly delivering = new Map<string, { until: number; answer: Promise<boolean> }>();

  constructor(
    private readonly harbor: HarborClient,
    private readonly secret: string | undefined,
    private readonly cacheMs = 60_000,
  ) {}

  /** Whether Harbor delivers the project's scan events to this service (false when that cannot be told). */
  deliversScanEvents(project: string): Promise<boolean> {
    if (!this.secret) return Promise.resolve(false);
    const cached = this.delivering.get(project);
    if (cached && cached.until > Date.now()) return cached.answer;
    const answer = this.askHarbor(project, this.secret).catch(() => false);
    this.delivering.set(project, { until: Date.now() + this.cacheMs, answer });
    return answer;
  }

  /** Drops what is known about the project's webhook (after registering it). */
  forget(project: string): void {
    this.delivering.delete(project);
  }

  /**
   * Starts listening for the end of a scan of one artifact; undefined when the project's webhook does not
   * deliver scan events here (the caller polls then). Close the listener when done.
   */
  async listen(project: string, repository: string, digest: string): Promise<ScanListener | undefined> {
    if (!(await this.deliversScanEvents(project))) return undefined;
    const k = key(project, repository, digest);
    let arrived = false;
    let wake: (() => void) | undefined;
    const onEvent = () => {
      arrived = true;
      wake?.();
    };
    let set = this.listeners.get(k);
    if (!set) this.listeners.set(k, (set = new Set()));
    set.add(onEvent);
    return {
      next: (ms, signal) =>
        new Promise<boolean>((resolve, reject) => {
          const done = (value: boolean) => {
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            wake = undefined;
            arrived = false;
            resolve(value);
          };
          const onAbort = () => {
            clearTimeout(timer);
            wake = undefined;
            reject(signal!.reason);
          };
          const timer = setTimeout(() => done(false), ms);
          if (signal?.aborted) return onAbort();
          signal?.addEventListener('abort', onAbort, { once: true });
          if (arrived) return done(true);
          wake = () => done(true);
        }),
      close: () => {
        set.delete(onEvent);
        if (set.size === 0 && this.listeners.get(k) === set) this.listeners.delete(k);
      },
    };
  }

  /** A scan of the artifact ended (an authenticated webhook delivery said so): wakes its listeners. */
  scanEnded(project: string, repository: string, digest: string): void {
    for (const onEvent of this.listeners.get(key(project, repository, digest)) ?? []) onEvent();
  }

  private async askHarbor(project: string, secret: string): Promise<boolean> {
    const policy = await findPatchingWebhook(this.harbor, project);
    if (!policy?.enabled || !policy.event_types?.includes('SCANNING_COMPLETED')) return false;
    const projectId = (await getProjectByName(this.harbor, project)).project_id;
    if (typeof projectId !== 'number') return false;
    return (policy.targets ?? []).some((t) => isCurrentAuthHeader(t.auth_header, secret, projectId));
  }
}
