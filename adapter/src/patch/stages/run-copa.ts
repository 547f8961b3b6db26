/**
 * Stage 5: copa patches the source and pushes the target tag, in a private work directory that is gone
 * afterwards. A stop or timeout kills copa; a push it made before that is still reported. The stage holds a
 * copa slot on one buildkitd endpoint (jobs/buildkit-pool.ts) from just before copa starts until it exits,
 * and logs how long it held it beyond copa's own time.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RegistryClient } from '../../registry/client';
import { classifyCopaFailure, copaFoundNothing, runCopa } from '../copa';
import { abortedOutcome, fullName, stopIfAborted, type CopaSlot, type PatchContext, type PatchDeps } from '../context';
import type { TaskProgressMeter } from '../progress';
import { fail, skip, type PatchOutcome, type ReasonCode } from '../reasons';
import type { CopaInput } from './copa-input';
import { initialResult, type IndexInput } from './index-input';
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
  const host = deps.registryHost ?? deps.registry.host;
  meter.at('copa');
  const slot = await takeCopaSlot(deps, ctx);
  let copa;
  let spawned: Promise<void> | undefined;
  try {
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true, mode: 0o700 });
    copa = await runCopa({
      copaPath: deps.copaPath,
      eolApiUrl: deps.copaEolApiUrl,
      buildkitAddr: slot.addr,
      workDir,
      registryHost: host,
      credentials: deps.robot,
      image: `${host}/${full}@${task.source_digest}`,
      target: `${host}/${full}:${plan.target}`,
      updateManifest: input.updateManifest,
      platformReports:
        input.index && ctx.options.mode === 'targeted'
          ? input.index.platforms.flatMap((p) => (p.patch && p.updateManifest ? [p.updateManifest] : []))
          : undefined,
      platforms:
        input.index && ctx.options.mode !== 'targeted'
          ? input.index.platforms.filter((p) => p.patch).map((p) => p.platform)
          : undefined,
      timeoutSeconds: deps.copaTimeoutSeconds,
      signal: ctx.signal,
      onLine: ctx.log,
      onProgress: (p) => meter.at('copa', p.fraction, p.stage),
      onSpawn: (pid) => {
        spawned = ctx.record({ copa_pid: pid });
      },
    });
  } finally {
    // The slot is freed as soon as copa exits: everything after it runs outside the copa slots.
    const held = slot.release(copa?.seconds);
    rmSync(workDir, { recursive: true, force: true });
    if (copa) {
      ctx.log(
        `copa slot on ${slot.addr} held ${held.heldSeconds.toFixed(3)} s: copa ${copa.seconds.toFixed(3)} s, ` +
          `overhead ${(held.overheadSeconds ?? 0).toFixed(3)} s; waited ${slot.waitedSeconds.toFixed(1)} s for it`,
      );
    }
  }
  await spawned;
  await ctx.record({ copa_pid: null, copa_seconds: copa.seconds });
  if (copa.killed || ctx.signal.aborted) {
    await recordPushBeforeStop(deps, ctx, plan);
    throw abortedOutcome(ctx.signal);
  }
  if (copa.exitCode !== 0) {
    const outcome = copaFailureOutcome(
      copa.lines,
      { buildkitAddr: slot.addr, copaTimeoutSeconds: deps.copaTimeoutSeconds },
      full,
    );
    // Taken out of the pool until its check answers; the retry goes to another endpoint if one answers.
    if (outcome.code === 'BUILDKIT_UNREACHABLE') deps.buildkit.markUnreachable(slot.addr, outcome.message);
    const unsupported = await input.unsupportedOs?.();
    if (unsupported) throw unsupported;
    if (input.index) await recordPlatformFailure(ctx, input.index, outcome.code, outcome.message);
    throw outcome;
  }
  // An index: copa's summary is per platform; verify.ts compares the pushed index with the source.
  if (!input.index && copaFoundNothing(copa.lines)) {
    throw skip(
      'UP_TO_DATE',
      `copa found no newer packages for ${full}:${source.tag} in its package sources; nothing was pushed.`,
    );
  }
  return { vex: copa.vex };
}

/** Waits for a copa slot; a stop or timeout while waiting ends the task, no usable buildkitd fails it (transient). */
async function takeCopaSlot(deps: PatchDeps, ctx: PatchContext): Promise<CopaSlot> {
  try {
    return await deps.buildkit.acquire(ctx.signal);
  } catch (err) {
    stopIfAborted(ctx.signal);
    throw fail('BUILDKIT_UNREACHABLE', err instanceof Error ? err.message : String(err), true);
  }
}

/** An image index copa failed on: the platforms handed to it end Error (copa's log says which failed). */
async function recordPlatformFailure(
  ctx: PatchContext,
  index: IndexInput,
  code: ReasonCode,
  message: string,
): Promise<void> {
  await ctx.record({
    platforms: index.platforms.map((p) =>
      p.patch ? { ...initialResult(p), status: 'Error', reason: code, message } : initialResult(p),
    ),
  });
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
  deps: { buildkitAddr: string; copaTimeoutSeconds: number },
  full: string,
): PatchOutcome {
  const c = classifyCopaFailure(lines);
  const advice: Record<typeof c.code, string> = {
    BUILDKIT_UNREACHABLE: `copa could not reach buildkitd at ${deps.buildkitAddr}; start buildkitd or fix the configured address.`,
    REGISTRY_AUTH: `the registry refused the service robot while copa pulled or pushed ${full}; give the robot pull and push rights.`,
    REGISTRY_UNREACHABLE: `the registry failed while copa pulled or pushed ${full}.`,
    TOKEN_REALM_REFUSED:
      `copa would not sign in to the registry: Harbor named its token service by the IP address ${c.realmHost}, ` +
      `and copa refuses a token service on a loopback or private IP address. Make Harbor's external URL a host ` +
      `name (e.g. https://harbor.example.com, or localhost instead of 127.0.0.1 on a test machine), or reach the ` +
      `registry at the token service's own host and port (PATCHING_REGISTRY_HOST).`,
    TIMEOUT: `copa did not finish within ${deps.copaTimeoutSeconds} s.`,
    UNSUPPORTED_OS: `copa cannot patch this image's operating system.`,
    COPA_FAILED: `copa failed; see the task log.`,
  };
  const code = c.code === 'TOKEN_REALM_REFUSED' ? 'REGISTRY_UNREACHABLE' : c.code;
  return fail(code, `${advice[c.code]} (${c.detail})`, c.transient);
}
