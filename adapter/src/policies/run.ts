/**
 * Policy runs: an execution of the patch engine whose tasks are the policy's candidates.
 *
 * The execution is created at once (the API answers with it); selection runs in the background.
 * Tasks are added un-queued while the selection goes on, so nothing finishes (and no status flips to
 * Success) before every candidate is known, and a Stop during selection leaves nothing running.
 * When the selection ends, the tasks are queued and the execution's message tells how many
 * artifacts were left out, per reason. A selection cut short by a restart is found at start and
 * ended as Error (PolicyRunStore).
 */
import type { PatchPolicy } from '@harbor-patching/shared/policy/model';
import type { HarborClient } from '../harbor/client';
import { robotPermissions, type ServiceRobot } from '../harbor/robot';
import type { PatchEngine } from '../jobs/engine';
import type { Execution, ExecutionTrigger, PatchOptions } from '../model/execution';
import type { PolicyRunStore } from '../store/policy-runs';
import { evaluatePolicy, newStats, type CandidateArtifact, type ExclusionReason } from './evaluate';

export class PolicyDisabledError extends Error {
  constructor(readonly policy: Pick<PatchPolicy, 'id' | 'name'>) {
    super(`policy "${policy.name}" is disabled; enable it before running it`);
    this.name = 'PolicyDisabledError';
  }
}

/** At most one running execution per policy: a second start while one runs is refused. */
export class PolicyBusyError extends Error {
  constructor(
    readonly policy: Pick<PatchPolicy, 'id' | 'name'>,
    readonly runningExecutionId: number,
  ) {
    super(`policy "${policy.name}" is already running as execution ${runningExecutionId}`);
    this.name = 'PolicyBusyError';
  }
}

/** The execution's patch options, taken from the policy when the run starts. */
export function patchOptionsOf(policy: PatchPolicy): Partial<PatchOptions> {
  return {
    mode: policy.mode,
    severity_threshold: policy.severity_threshold,
    tag_scheme: policy.tag_scheme,
    tag_suffix: policy.tag_suffix,
    rescan: policy.options.rescan,
    copy_labels: policy.options.copy_labels,
    delete_original: policy.options.delete_original,
    ...(policy.options.sign !== undefined ? { sign: policy.options.sign } : {}),
    require_signed_source: policy.options.require_signed_source ?? false,
    // Selection already left out artifacts without a report (NOT_SCANNED).
    scan_if_missing: false,
  };
}

export function describeExclusions(candidates: number, byReason: Partial<Record<ExclusionReason, number>>): string {
  const parts = Object.entries(byReason)
    .filter(([, n]) => (n ?? 0) > 0)
    .map(([r, n]) => `${r} ${n}`);
  const left = Object.values(byReason).reduce((a, b) => a + (b ?? 0), 0);
  const head = `${candidates} artifact${candidates === 1 ? '' : 's'} selected for patching`;
  return left > 0 ? `${head}; ${left} left out (${parts.join(', ')}).` : `${head}.`;
}

export interface PolicyRunnerDeps {
  runs: PolicyRunStore;
  /** Harbor as the service robot. */
  harbor: HarborClient;
  engine: PatchEngine;
  /** Tells what to grant when Harbor refuses the robot the listing. */
  robot?: ServiceRobot;
  onError?: (err: unknown, executionId: number) => void;
}

export class PolicyRunner {
  private readonly selections = new Map<number, Promise<void>>();
  /** The last start per policy id, to handle starts of one policy one at a time. */
  private readonly starts = new Map<number, Promise<void>>();

  constructor(private readonly deps: PolicyRunnerDeps) {}

  /** Ends selections that a restart cut short (their tasks were never queued). */
  async recover(): Promise<void> {
    for (const execution_id of await this.deps.runs.selectionsInProgress()) {
      await this.deps.engine.stopExecution(execution_id);
      await this.deps.engine.store.setExecutionFinal(
        execution_id,
        'Error',
        'The patching service restarted while it was selecting artifacts for this run. Run the policy again.',
      );
      await this.forget(execution_id);
    }
  }

  /** The policy's execution that is not finished yet, if any. */
  async activeRun(policy: Pick<PatchPolicy, 'id' | 'project_name'>): Promise<Execution | undefined> {
    const page = await this.deps.engine.store.listExecutions({
      project: policy.project_name,
      policy_id: policy.id,
      status: 'Running',
      page: 1,
      page_size: 1,
    });
    return page.items[0];
  }

  /**
   * Starts a run over the whole project; answers with the new execution at once. Refuses a disabled
   * policy, and a policy with a run still going (starts of one policy are handled one after the other in
   * this process, so two requests cannot both pass).
   */
  start(policy: PatchPolicy, trigger: Extract<ExecutionTrigger, 'MANUAL' | 'SCHEDULE'>): Promise<Execution> {
    const run = (this.starts.get(policy.id) ?? Promise.resolve()).then(() => this.startNow(policy, trigger));
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.starts.set(policy.id, tail);
    void tail.then(() => {
      if (this.starts.get(policy.id) === tail) this.starts.delete(policy.id);
    });
    return run;
  }

  private async startNow(
    policy: PatchPolicy,
    trigger: Extract<ExecutionTrigger, 'MANUAL' | 'SCHEDULE'>,
  ): Promise<Execution> {
    if (!policy.enabled) throw new PolicyDisabledError(policy);
    const running = await this.activeRun(policy);
    if (running) throw new PolicyBusyError(policy, running.id);
    const { engine, runs } = this.deps;
    const execution = await engine.createExecution({
      project: policy.project_name,
      policy_id: policy.id,
      trigger,
      options: patchOptionsOf(policy),
      status_message: 'Selecting the artifacts to patch.',
    });
    await runs.selectionStarted(execution.id, policy.id);
    const selection = this.select(execution.id, policy)
      .catch(async (err) => {
        this.deps.onError?.(err, execution.id);
        const refusal = await this.deps.robot?.explainRefusal(policy.project_name, err, robotPermissions('patch'));
        await engine.stopExecution(execution.id);
        await engine.store.setExecutionFinal(
          execution.id,
          'Error',
          `Selecting the artifacts failed: ${refusal?.message ?? (err instanceof Error ? err.message : String(err))}`,
        );
      })
      .then(() => this.forget(execution.id))
      .catch((err: unknown) => this.deps.onError?.(err, execution.id))
      .finally(() => this.selections.delete(execution.id));
    this.selections.set(execution.id, selection);
    return execution;
  }

  /** A run for one artifact already known to be a candidate (event trigger). */
  async startForArtifact(
    policy: PatchPolicy,
    candidate: CandidateArtifact,
    trigger: ExecutionTrigger = 'EVENT',
  ): Promise<Execution> {
    const { engine } = this.deps;
    const execution = await engine.createExecution({
      project: policy.project_name,
      policy_id: policy.id,
      trigger,
      options: patchOptionsOf(policy),
    });
    await engine.addTask(execution.id, {
      repository: candidate.repository,
      tag: candidate.tag,
      digest: candidate.digest,
    });
    return (await engine.completeExecution(execution.id, describeExclusions(1, {}))) ?? execution;
  }

  /** Resolves when every selection in progress has ended (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.selections.size > 0) await Promise.all([...this.selections.values()]);
  }

  private forget(executionId: number): Promise<void> {
    return this.deps.runs.selectionEnded(executionId);
  }

  private async stopped(executionId: number): Promise<boolean> {
    return (await this.deps.engine.store.getExecution(executionId))?.status === 'Stopped';
  }

  private async select(executionId: number, policy: PatchPolicy): Promise<void> {
    const { engine, harbor } = this.deps;
    const stats = newStats();
    const byReason: Partial<Record<ExclusionReason, number>> = {};
    const taskIds: number[] = [];
    for await (const v of evaluatePolicy(harbor, policy.project_name, policy, { stats })) {
      if (await this.stopped(executionId)) return;
      if (v.kind === 'excluded') {
        byReason[v.reason] = (byReason[v.reason] ?? 0) + v.count;
        continue;
      }
      const a = v.artifact;
      const task = await engine.addTask(
        executionId,
        { repository: a.repository, tag: a.tag, digest: a.digest },
        { enqueue: false },
      );
      taskIds.push(task.id);
    }
    if (await this.stopped(executionId)) return;
    for (const id of taskIds) {
      if ((await engine.store.getTask(id))?.status === 'Pending') await engine.enqueue(id);
    }
    await engine.store.setExecutionExcluded(executionId, byReason);
    await engine.completeExecution(executionId, describeExclusions(taskIds.length, byReason));
  }
}
