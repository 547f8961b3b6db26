/**
 * Stage 6: copa's exit 0 is not proof of a push; the target tag must now name a new image. Done even when
 * a stop arrives now, so the task reports what was pushed (with copa's VEX document) before it ends
 * STOPPED.
 */
import type { RegistryClient } from '../../registry/client';
import { classifyError, fullName, stopIfAborted, type PatchContext } from '../context';
import type { TaskProgressMeter } from '../progress';
import { fail } from '../reasons';
import type { CopaInput } from './copa-input';
import type { TargetPlan } from './plan-target';
import type { CopaPatch } from './run-copa';

/** The image copa pushed. */
export interface PushedImage {
  digest: string;
}

/** Whether the target tag's `digest` is an image copa pushed: neither what the tag named before nor the source. */
export function isNewPush(
  digest: string | undefined,
  plan: Pick<TargetPlan, 'previousDigest'>,
  sourceDigest: string,
): digest is string {
  return Boolean(digest) && digest !== plan.previousDigest && digest !== sourceDigest;
}

export async function verifyPush(
  deps: { registry: Pick<RegistryClient, 'resolveDigest'> },
  ctx: PatchContext,
  meter: TaskProgressMeter,
  plan: TargetPlan,
  input: CopaInput,
  copa: CopaPatch,
): Promise<PushedImage> {
  const { task } = ctx;
  const full = fullName(task);
  meter.at('verify');
  let digest: string | undefined;
  try {
    digest = await deps.registry.resolveDigest(full, plan.target);
  } catch (err) {
    stopIfAborted(ctx.signal);
    throw classifyError(err, 'verifying the patched tag');
  }
  if (!isNewPush(digest, plan, task.source_digest)) {
    stopIfAborted(ctx.signal);
    throw fail(
      'VERIFY_FAILED',
      `copa reported success but ${full}:${plan.target} was not updated in the registry; see the task log.`,
    );
  }
  await ctx.record({ patched_tag: plan.target, patched_digest: digest, vex: copa.vex });
  ctx.log(`pushed ${full}:${plan.target} as ${digest}`);
  if (!input.updateManifest) ctx.log('comprehensive mode: copa writes no VEX document without a vulnerability report');
  stopIfAborted(ctx.signal);
  return { digest };
}
