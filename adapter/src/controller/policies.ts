/**
 * Patch policies of a project: list, read, create, update, delete, enable, disable. A policy's label
 * filters must name labels that exist in Harbor (asked with the caller's credentials); the API form of a
 * policy carries its next scheduled run. The scheduler polls the store, so nothing else is told of changes.
 */
import { nextRunTimes } from '@harbor-patching/shared/policy/cron';
import type { PatchPolicy, PolicySpec } from '@harbor-patching/shared/policy/model';
import { labelNamesOf, validatePolicy, type FieldError } from '@harbor-patching/shared/policy/validate';
import type { HarborAuth, HarborClient } from '../harbor/client';
import { missingLabelNames } from '../harbor/labels';
import { NotFoundError, ValidationError } from '../model/errors';
import type { PolicyListQuery, PolicyStore } from '../store/policies';

export type PolicyView = PatchPolicy & { next_run_time: string | null };

/** The project a request is about, as Harbor knows it. */
export interface ProjectRef {
  id: number;
  name: string;
}

/** Who changes a policy, and the credentials Harbor is asked with on their behalf. */
export interface Actor {
  username: string;
  auth?: HarborAuth;
}

/** When an enabled scheduled policy runs next (ISO time); null for other policies or a cron that never fires. */
export function nextRunTime(p: PatchPolicy, now = new Date()): string | null {
  if (!p.enabled || p.trigger.type !== 'scheduled' || !p.trigger.cron) return null;
  try {
    return nextRunTimes(p.trigger.cron, now, 1)[0].toISOString();
  } catch {
    return null;
  }
}

/** The API form of a policy: the stored one plus its next scheduled run. */
export function policyView(p: PatchPolicy, now = new Date()): PolicyView {
  return { ...p, next_run_time: nextRunTime(p, now) };
}

const notFound = (project: ProjectRef, id: number) =>
  new NotFoundError(`policy ${id} not found in project "${project.name}"`);

export class PolicyController {
  constructor(
    private readonly policies: PolicyStore,
    /** Harbor, asked about labels with the caller's credentials. */
    private readonly harbor: HarborClient,
    /** What the service's signing configuration allows. */
    private readonly signing: SigningCapabilities = NO_SIGNING,
  ) {}

  async list(project: ProjectRef, query: PolicyListQuery): Promise<{ items: PolicyView[]; total: number }> {
    const { items, total } = await this.policies.list(project.name, query);
    const now = new Date();
    return { items: items.map((p) => policyView(p, now)), total };
  }

  /** The policy, or undefined when the project has no such policy. */
  async get(project: ProjectRef, id: number): Promise<PolicyView | undefined> {
    const policy = await this.policies.get(project.name, id);
    return policy && policyView(policy);
  }

  async create(project: ProjectRef, body: unknown, actor: Actor): Promise<PolicyView> {
    const spec = await this.specOf(project, body, actor);
    return policyView(await this.policies.create(project.name, project.id, spec, actor.username));
  }

  async update(project: ProjectRef, id: number, body: unknown, actor: Actor): Promise<PolicyView> {
    if (!(await this.policies.get(project.name, id))) throw notFound(project, id);
    const spec = await this.specOf(project, body, actor);
    const updated = await this.policies.update(project.name, id, spec, actor.username);
    if (!updated) throw notFound(project, id);
    return policyView(updated);
  }

  async delete(project: ProjectRef, id: number): Promise<void> {
    if (!(await this.policies.get(project.name, id)) || !(await this.policies.delete(project.name, id)))
      throw notFound(project, id);
  }

  async setEnabled(project: ProjectRef, id: number, enabled: boolean, actor: Actor): Promise<PolicyView> {
    const updated = await this.policies.setEnabled(project.name, id, enabled, actor.username);
    if (!updated) throw notFound(project, id);
    return policyView(updated);
  }

  /** Validates a body into a spec, including that its label names exist in Harbor (for the caller). */
  private async specOf(project: ProjectRef, body: unknown, actor: Actor): Promise<PolicySpec> {
    const { errors, policy } = validatePolicy(body);
    if (!policy) throw new ValidationError(errors);
    const signing = signingOptionProblems(policy.options, this.signing, 'options.');
    if (signing.length) throw new ValidationError(signing);
    const labels = labelNamesOf(policy);
    if (labels.length === 0) return policy;
    const missing = new Set(await missingLabelNames(this.harbor, project.id, labels, actor.auth));
    if (missing.size === 0) return policy;
    const problems: FieldError[] = [];
    policy.filters.forEach((f, i) => {
      if (f.type !== 'label') return;
      f.value.forEach((name, j) => {
        if (missing.has(name)) {
          problems.push({
            field: `filters[${i}].value[${j}]`,
            message: `label "${name}" does not exist in Harbor (neither a global label nor one of project "${project.name}")`,
          });
        }
      });
    });
    throw new ValidationError(problems);
  }
}

/** What the service can do with cosign: sign (a signing key is set), verify sources (a trusted public key is set). */
export interface SigningCapabilities {
  sign: boolean;
  verify: boolean;
}

export const NO_SIGNING: SigningCapabilities = { sign: false, verify: false };

/** Signing options the service's configuration cannot honour, as field problems. */
export function signingOptionProblems(
  options: { sign?: boolean; require_signed_source?: boolean },
  can: SigningCapabilities,
  prefix = '',
): FieldError[] {
  const problems: FieldError[] = [];
  if (options.sign && !can.sign) {
    problems.push({
      field: `${prefix}sign`,
      message:
        'the service has no signing key: set PATCHING_SIGNING_KEY_FILE (a cosign private key) to sign patched images',
    });
  }
  if (options.require_signed_source && !can.verify) {
    problems.push({
      field: `${prefix}require_signed_source`,
      message: 'the service has no trusted public key: set PATCHING_TRUST_PUBLIC_KEY_FILE to verify source images',
    });
  }
  return problems;
}
