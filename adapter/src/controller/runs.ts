/**
 * Running a policy now, and its schedule: a run is refused (conflict) while the policy is disabled or one
 * of its runs is still going.
 */
import type { PatchPolicy } from '@harbor-patching/shared/policy/model';
import type { Execution } from '../model/execution';
import { ConflictError, NotFoundError } from '../model/errors';
import { PolicyBusyError, PolicyDisabledError, type PolicyRunner } from '../policies/run';
import type { PolicyScheduler, ScheduleInfo } from '../scheduler/scheduler';
import type { PolicyStore } from '../store/policies';

export type PolicySchedule = { policy_id: number; trigger: PatchPolicy['trigger']['type'] } & ScheduleInfo;

export class RunController {
  constructor(
    private readonly policies: Pick<PolicyStore, 'get'>,
    private readonly runner: PolicyRunner,
    private readonly scheduler: PolicyScheduler,
  ) {}

  private async policy(project: string, id: number): Promise<PatchPolicy> {
    const policy = await this.policies.get(project, id);
    if (!policy) throw new NotFoundError(`policy ${id} not found in project "${project}"`);
    return policy;
  }

  /** Starts a MANUAL run; answers with its execution at once. */
  async run(project: string, policyId: number): Promise<Execution> {
    const policy = await this.policy(project, policyId);
    try {
      return await this.runner.start(policy, 'MANUAL');
    } catch (err) {
      if (err instanceof PolicyDisabledError) {
        throw new ConflictError(
          `Policy "${policy.name}" is disabled, so it cannot run. Enable it first, then run it again.`,
        );
      }
      if (err instanceof PolicyBusyError) {
        throw new ConflictError(
          `Policy "${policy.name}" is already running as execution ${err.runningExecutionId}. ` +
            'Wait for it to finish, or stop it, then run the policy again.',
        );
      }
      throw err;
    }
  }

  async schedule(project: string, policyId: number): Promise<PolicySchedule> {
    const policy = await this.policy(project, policyId);
    return { policy_id: policy.id, trigger: policy.trigger.type, ...(await this.scheduler.info(policy)) };
  }
}
