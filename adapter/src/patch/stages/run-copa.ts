/**
 * Stage 5: copa patches the source and pushes the target tag, in a private work directory that is gone
 * afterwards. A stop or timeout kills copa; a push it made before that is still reported.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RegistryClient } from '../../registry/client';
import { classifyCopaFailure, copaFoundNothing, runCopa } from '../copa';
import { abortedOutcome, fullName, type PatchContext, type PatchDeps } from '../context';
import type { TaskProgressMeter } from '../progress';
import { fail, skip, type PatchOutcome } from '../reasons';
import type { CopaInput } from './copa-input';
import type { TargetPlan } from './plan-target';
import { isNewPush } from './verify';

export interface CopaPatch {
  /** The OpenVEX document copa wrote, if any. */
  vex: unknown;
}

export async function patchWithCopa(
  deps: PatchDeps,
  ctx: PatchContext,
  meter: TaskProgressMeter,
  source: { tag: string },
  plan: TargetPlan,
  input: CopaInput,
): Promise<CopaPatch> {
  const { task } = ctx;
  const full = fullName(task);
  const workDir = join(deps.workRoot, `task-${task.id}`);
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  const host = deps.registryHost ?? deps.registry.host;
  let copa;
  let spawned: Promise<void> | undefined;
  try {
    meter.at('copa');
    copa = await runCopa({
      copaPath: deps.copaPath,
      eolApiUrl: deps.copaEolApiUrl,
      buildkitAddr: deps.buildkitAddr,
      workDir,
      registryHost: host,
      credentials: deps.robot,
      image: `${host}/${full}@${task.source_digest}`,
      target: `${host}/${full}:${plan.target}`,
      updateManifest: input.updateManifest,
      timeoutSeconds: deps.copaTimeoutSeconds,
      signal: ctx.signal,
      onLine: ctx.log,
      onProgress: (p) => meter.at('copa', p.fraction, p.stage),
      onSpawn: (pid) => {
        spawned = ctx.record({ copa_pid: pid });
      },
    });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  await spawned;
  await ctx.record({ copa_pid: null, copa_seconds: copa.seconds });
  if (copa.killed || ctx.signal.aborted) {
    await recordPushBeforeStop(deps, ctx, plan);
    throw abortedOutcome(ctx.signal);
  }
  if (copa.exitCode !== 0) throw copaFailureOutcome(copa.lines, deps, full);
  if (copaFoundNothing(copa.lines)) {
    throw skip(
      'UP_TO_DATE',
      `copa found no newer packages for ${full}:${source.tag} in its package sources; nothing was pushed.`,
    );
  }
  return { vex: copa.vex };
}

/** copa may have pushed before it was stopped: records the patched image only if it is there. */
export async function recordPushBeforeStop(
  deps: { registry: Pick<RegistryClient, 'resolveDigest'> },
  ctx: Pick<PatchContext, 'task' | 'record' | 'log'>,
  plan: TargetPlan,
): Promise<void> {
  const full = fullName(ctx.task);
  await deps.registry
    .resolveDigest(full, plan.target)
    .then(async (digest) => {
      if (isNewPush(digest, plan, ctx.task.source_digest)) {
        await ctx.record({ patched_tag: plan.target, patched_digest: digest });
        ctx.log(`copa pushed ${full}:${plan.target} as ${digest} before it was stopped`);
      }
    })
    .catch(() => undefined);
}

/** A failed copa run's outcome: its failure class, with what to do about it. */
export function copaFailureOutcome(
  lines: readonly string[],
  deps: Pick<PatchDeps, 'buildkitAddr' | 'copaTimeoutSeconds'>,
  full: string,
): PatchOutcome {
  const c = classifyCopaFailure(lines);
  const advice: Record<typeof c.code, string> = {
    BUILDKIT_UNREACHABLE: `copa could not reach buildkitd at ${deps.buildkitAddr}; start buildkitd or fix the configured address.`,
    REGISTRY_AUTH: `the registry refused the service robot while copa pulled or pushed ${full}; give the robot pull and push rights.`,
    REGISTRY_UNREACHABLE: `the registry failed while copa pulled or pushed ${full}.`,
    TIMEOUT: `copa did not finish within ${deps.copaTimeoutSeconds} s.`,
    UNSUPPORTED_OS: `copa cannot patch this image's operating system.`,
    COPA_FAILED: `copa failed; see the task log.`,
  };
  return fail(c.code, `${advice[c.code]} (${c.detail})`, c.transient);
}
