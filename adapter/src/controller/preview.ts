/**
 * Dry-run preview of a stored policy (`{"policy_id": N}`) or of a draft (the same body as create; the name
 * may be left out): which artifacts would be patched now and why the others would not. When Harbor refuses
 * the service robot the listing, the error says what to grant it.
 */
import { validatePolicy } from '@harbor-patching/shared/policy/validate';
import type { HarborClient } from '../harbor/client';
import { robotCheckError, robotPermissions, type ServiceRobot } from '../harbor/robot';
import { NotFoundError, ValidationError } from '../model/errors';
import type { EvaluablePolicy } from '../policies/filters';
import { previewPolicy, type PolicyPreview } from '../policies/preview';
import type { PolicyStore } from '../store/policies';

const DRAFT_NAME = 'preview';

export type PreviewResult = { project_name: string } & ({ policy_id: number } | { draft: true }) & PolicyPreview;

export class PreviewController {
  constructor(
    private readonly policies: Pick<PolicyStore, 'get'>,
    /** Harbor as the service robot. */
    private readonly harbor: HarborClient,
    /** Tells what to grant when Harbor refuses the robot the listing. */
    private readonly robot?: ServiceRobot,
  ) {}

  async preview(project: string, body: unknown, limit: number): Promise<PreviewResult> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ValidationError([{ field: '', message: 'send {"policy_id": N} or a draft policy as a JSON object' }]);
    }
    let policy: EvaluablePolicy;
    let source: { policy_id: number } | { draft: true };
    if ('policy_id' in body) {
      const id = (body as { policy_id: unknown }).policy_id;
      if (!Number.isInteger(id) || (id as number) < 1) {
        throw new ValidationError([{ field: 'policy_id', message: 'policy_id must be a positive integer' }]);
      }
      if (Object.keys(body).length > 1) {
        throw new ValidationError([{ field: '', message: 'send either {"policy_id": N} or a draft policy, not both' }]);
      }
      const stored = await this.policies.get(project, id as number);
      if (!stored) throw new NotFoundError(`policy ${id} does not exist in project "${project}"`);
      policy = stored;
      source = { policy_id: stored.id };
    } else {
      const draft = { ...(body as Record<string, unknown>) };
      // A draft being edited may have no (valid) name yet; the name does not change what is selected.
      draft.name = DRAFT_NAME;
      const v = validatePolicy(draft);
      if (v.errors.length > 0 || !v.policy) throw new ValidationError(v.errors.filter((e) => e.field !== 'name'));
      policy = v.policy;
      source = { draft: true };
    }
    const preview = await previewPolicy(this.harbor, project, policy, { limit }).catch(async (err: unknown) => {
      const refusal = await this.robot?.explainRefusal(project, err, robotPermissions('patch'));
      throw refusal ? robotCheckError(refusal) : err;
    });
    return { project_name: project, ...source, ...preview };
  }
}
