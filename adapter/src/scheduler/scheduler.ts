/**
 * Cron triggers for scheduled policies. Harbor's 6-field cron, in UTC. Each tick:
 *  - reads the enabled scheduled policies (a disabled or deleted policy simply stops being listed,
 *    which cancels its schedule; re-enabling starts afresh, without catching up),
 *  - for each, finds the latest slot at or before now; when it is newer than the last handled slot,
 *    the policy is due: one run, however many slots passed while the service was down,
 *  - claims the slot in the store: of several processes (replicas) sharing the database, only the one
 *    whose claim wins acts on it; the others leave it,
 *  - starts the run unless one of the policy's executions is still running; then the slot is
 *    recorded as SKIPPED in the schedule log (not as an execution).
 * The clock is injected (`now`) and `tick()` can be called directly, so tests never wait.
 */
import { nextRunTimes, previousRunTime } from '@harbor-patching/shared/policy/cron';
import type { PatchPolicy } from '@harbor-patching/shared/policy/model';
import type { ScheduleLogEntry, ScheduleOutcome, ScheduleStore } from '../store/schedules';

export type ScheduledPolicy = Pick<PatchPolicy, 'id' | 'project_name' | 'enabled' | 'trigger'>;

export interface SchedulerDeps {
  store: ScheduleStore;
  now?: () => Date;
  /** Every policy whose trigger is scheduled (enabled or not). */
  listScheduledPolicies: () => ScheduledPolicy[] | Promise<ScheduledPolicy[]>;
  /** True while an execution of the policy is not finished. */
  hasActiveRun: (policyId: number) => Promise<boolean>;
  /** Starts a run with trigger SCHEDULE and returns its execution id. */
  startRun: (policyId: number) => Promise<{ id: number }>;
  /** Who claims the slots (the replica id; default 'local'). */
  owner?: string;
  /** Milliseconds between ticks of the real timer (default 10 s; cron slots are whole minutes). */
  intervalMs?: number;
  onError?: (err: unknown, policyId?: number) => void;
}

export interface TickResult {
  policy_id: number;
  slot: string;
  outcome: ScheduleOutcome;
  execution_id: number | null;
  message: string;
}

export interface ScheduleInfo {
  cron: string | null;
  enabled: boolean;
  next_run_time: string | null;
  last_run_time: string | null;
  last_execution_id: number | null;
  recent: ScheduleLogEntry[];
}

export class PolicyScheduler {
  readonly store: ScheduleStore;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<TickResult[]> | undefined;
  private readonly now: () => Date;

  constructor(private readonly deps: SchedulerDeps) {
    this.store = deps.store;
    this.now = deps.now ?? (() => new Date());
  }

  start(): void {
    if (this.timer) return;
    const every = this.deps.intervalMs ?? 10_000;
    this.timer = setInterval(() => {
      this.tick().catch((err) => this.deps.onError?.(err));
    }, every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking?.catch(() => undefined);
  }

  /** One pass over all scheduled policies. Concurrent calls share the pass in progress. */
  tick(): Promise<TickResult[]> {
    if (!this.ticking) {
      this.ticking = this.runTick().finally(() => {
        this.ticking = undefined;
      });
    }
    return this.ticking;
  }

  private async runTick(): Promise<TickResult[]> {
    const now = this.now();
    const policies = (await this.deps.listScheduledPolicies()).filter(
      (p) => p.enabled && p.trigger.type === 'scheduled' && p.trigger.cron,
    );
    const live = new Set(policies.map((p) => p.id));
    for (const s of await this.store.all()) if (!live.has(s.policy_id)) await this.store.remove(s.policy_id);

    const results: TickResult[] = [];
    for (const p of policies) {
      try {
        const r = await this.checkPolicy(p, now);
        if (r) results.push(r);
      } catch (err) {
        this.deps.onError?.(err, p.id);
      }
    }
    return results;
  }

  private async checkPolicy(p: ScheduledPolicy, now: Date): Promise<TickResult | undefined> {
    const cron = p.trigger.cron!;
    const state = await this.store.get(p.id);
    if (!state || state.cron !== cron) {
      await this.store.reset(p.id, p.project_name, cron, now);
      return undefined;
    }
    const slot = previousRunTime(cron, now);
    if (!slot) return undefined;
    const handled = Math.max(
      Date.parse(state.baseline_time),
      state.last_run_time ? Date.parse(state.last_run_time) : 0,
    );
    if (slot.getTime() <= handled) return undefined;
    if (!(await this.store.claimSlot(p.id, slot, this.deps.owner ?? 'local'))) return undefined;

    let outcome: ScheduleOutcome;
    let executionId: number | null = null;
    let message: string;
    if (await this.deps.hasActiveRun(p.id)) {
      outcome = 'SKIPPED';
      message = 'The previous run of this policy was still running; this slot was skipped.';
    } else {
      try {
        executionId = (await this.deps.startRun(p.id)).id;
        outcome = 'STARTED';
        message = '';
      } catch (err) {
        outcome = 'FAILED';
        message = `The scheduled run could not start: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    await this.store.markHandled(p.id, slot, executionId);
    await this.store.log({
      policy_id: p.id,
      project: p.project_name,
      scheduled_time: slot.toISOString(),
      fired_time: now.toISOString(),
      outcome,
      execution_id: executionId,
      message,
    });
    return { policy_id: p.id, slot: slot.toISOString(), outcome, execution_id: executionId, message };
  }

  /** What the API shows about a policy's schedule. */
  async info(p: ScheduledPolicy): Promise<ScheduleInfo> {
    const cron = p.trigger.type === 'scheduled' && p.trigger.cron ? p.trigger.cron : null;
    const state = await this.store.get(p.id);
    let next: string | null = null;
    if (cron && p.enabled) {
      try {
        next = nextRunTimes(cron, this.now(), 1)[0].toISOString();
      } catch {
        next = null;
      }
    }
    return {
      cron,
      enabled: p.enabled,
      next_run_time: next,
      last_run_time: state?.last_run_time ?? null,
      last_execution_id: state?.last_execution_id ?? null,
      recent: await this.store.recent(p.id),
    };
  }
}
