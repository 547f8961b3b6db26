/**
 * One patch task end to end, stage by stage (stages/): resolve the artifact and decide (decide.ts, as
 * preview and policy runs) -> ensure a vulnerability report (scan, decide again) -> plan the target tag
 * -> build copa's input -> copa -> sign (cosign) -> verify the pushed tag -> attach the VEX document ->
 * post-actions (floating tag, re-scan, labels, delete original). With trust before patching, the
 * signature of a source that is to be patched is checked before anything is planned (stages/sign.ts). Ends with an outcome or throws PatchOutcome. A stop or timeout in any stage ends it
 * STOPPED or TIMEOUT; `patched_tag` is reported only once the image is in the registry.
 */
import { fullName, type PatchContext, type PatchDeps, type PatchResult } from './context';
import { TaskProgressMeter } from './progress';
import { acceptDecision, resolveArtifact } from './stages/resolve';
import { ensureReport } from './stages/ensure-report';
import { planTarget } from './stages/plan-target';
import { readCopaInput } from './stages/copa-input';
import { patchWithCopa } from './stages/run-copa';
import { verifyIndexPush, verifyPush } from './stages/verify';
import { runPostActions, successMessage } from './stages/post-actions';
import { attachVex, checkSourceTrust, signPatched } from './stages/sign';

export { abortedOutcome, classifyError } from './context';
export type { PatchContext, PatchDeps, PatchResult } from './context';

export async function runPatchTask(deps: PatchDeps, ctx: PatchContext): Promise<PatchResult> {
  const meter = new TaskProgressMeter(ctx.progress);
  meter.at('resolve');
  const resolved = await resolveArtifact(deps, ctx);
  const reported = await ensureReport(deps, ctx, meter, resolved);
  const source = await acceptDecision(deps, ctx, reported);
  await checkSourceTrust(deps, ctx);
  const plan = await planTarget(deps, ctx, source.tag);
  const input = await readCopaInput(deps, ctx, meter, source);
  const copa = await patchWithCopa(deps, ctx, meter, source, plan, input);
  const signed = await signPatched(deps, ctx, meter, plan);
  const pushed = input.index
    ? await verifyIndexPush(deps, ctx, meter, plan, input.index, copa)
    : await verifyPush(deps, ctx, meter, plan, input, copa);
  const vexNotes = await attachVex(deps, ctx, pushed, copa, signed === pushed.digest);
  const post = await runPostActions(deps, ctx, meter, source, plan, pushed);
  post.notes.unshift(...vexNotes);
  if (signed) post.signed = true;
  return {
    status: 'Success',
    message: successMessage(fullName(ctx.task), source.tag, plan.target, post, pushed.platforms),
  };
}
