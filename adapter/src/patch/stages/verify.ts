/**
 * Stage 6: copa's exit 0 is not proof of a push; the target tag must now name a new image. Done even when
 * a stop arrives now, so the task reports what was pushed (with copa's VEX document) before it ends
 * STOPPED.
 */
import { deleteTag } from '../../harbor/artifacts';
import { HarborError } from '../../harbor/client';
import { isIndex, type RegistryClient } from '../../registry/client';
import {
  classifyError,
  fullName,
  stopIfAborted,
  type PatchContext,
  type PatchDeps,
  type StoredPlatformResult,
} from '../context';
import { platformName } from '../platforms';
import { mergeVex, platformVex } from '../vex';
import type { TaskProgressMeter } from '../progress';
import { fail, skip } from '../reasons';
import type { CopaInput } from './copa-input';
import { initialResult, type IndexInput } from './index-input';
import type { TargetPlan } from './plan-target';
import type { CopaPatch } from './run-copa';

/** The image copa pushed. */
export interface PushedImage {
  digest: string;
  /** An image index: each platform's result, in the source index's order. */
  platforms?: StoredPlatformResult[];
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
  const full = fullName(ctx.task);
  const digest = await pushedDigest(deps, ctx, meter, plan);
  await ctx.record({ patched_tag: plan.target, patched_digest: digest, vex: copa.vex });
  ctx.log(`pushed ${full}:${plan.target} as ${digest}`);
  if (!input.updateManifest) ctx.log('comprehensive mode: copa writes no VEX document without a vulnerability report');
  stopIfAborted(ctx.signal);
  return { digest };
}

/** The digest of the target tag, once it names a new image. */
async function pushedDigest(
  deps: { registry: Pick<RegistryClient, 'resolveDigest'> },
  ctx: PatchContext,
  meter: TaskProgressMeter,
  plan: TargetPlan,
): Promise<string> {
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
  return digest;
}

/**
 * An image index: which platform image the pushed index holds for each platform of the source (a new one:
 * Patched; the source's: carried over, UP_TO_DATE when copa was asked to patch it). copa also pushed each
 * patched platform as `<target>-<arch>`; those tags are removed, the index is the result.
 */
export async function verifyIndexPush(
  deps: Pick<PatchDeps, 'harbor'> & { registry: Pick<RegistryClient, 'resolveDigest' | 'getManifest'> },
  ctx: PatchContext,
  meter: TaskProgressMeter,
  plan: TargetPlan,
  index: IndexInput,
  copa: CopaPatch,
): Promise<PushedImage> {
  const { task } = ctx;
  const full = fullName(task);
  const digest = await pushedDigest(deps, ctx, meter, plan);
  let pushed;
  try {
    pushed = await deps.registry.getManifest(full, digest);
  } catch (err) {
    stopIfAborted(ctx.signal);
    throw classifyError(err, 'reading the patched index');
  }
  if (!pushed) throw fail('VERIFY_FAILED', `${full}@${digest} vanished right after copa pushed it.`);
  const planned = index.platforms.filter((p) => p.patch);
  const children = isIndex(pushed)
    ? (pushed.manifests ?? []).map((m) => ({ platform: platformName(m.platform), digest: m.digest }))
    : // copa patches an index of a single platform into a single-platform image.
      planned.length === 1
      ? [{ platform: planned[0].platform, digest }]
      : [];
  const results: StoredPlatformResult[] = [];
  for (const p of index.platforms) {
    const child = children.find((c) => c.platform === p.platform);
    if (!child) {
      throw fail(
        'VERIFY_FAILED',
        `copa pushed ${full}:${plan.target} (${digest}) without the ${p.platform} image of the original; see the task log.`,
      );
    }
    const base = initialResult(p);
    if (!p.patch) {
      results.push(base);
    } else if (child.digest === p.digest) {
      results.push({
        ...base,
        status: 'Unchanged',
        reason: 'UP_TO_DATE',
        message: `copa found no newer packages for ${p.platform}; it is kept as it is.`,
        patched_digest: child.digest,
        vulnerabilities_after: base.vulnerabilities_before,
      });
    } else {
      results.push({ ...base, status: 'Patched', message: 'patched', patched_digest: child.digest });
    }
  }
  const vexPlatforms = results.flatMap((r, i) => {
    const updateManifest = index.platforms[i].updateManifest;
    return r.status === 'Patched' && updateManifest && r.patched_digest
      ? [{ platform: r.platform, patchedDigest: r.patched_digest, updateManifest }]
      : [];
  });
  const vexByPlatform = platformVex(copa.vex, vexPlatforms, task.repository.split('/').at(-1)!);
  for (const r of results) {
    r.vex = vexByPlatform.get(r.platform);
    r.has_vex = r.vex !== undefined;
  }
  const vex = mergeVex([...vexByPlatform.values()]);
  await ctx.record({ patched_tag: plan.target, patched_digest: digest, platforms: results, vex });
  ctx.log(`pushed ${full}:${plan.target} as ${digest}`);
  for (const r of results)
    ctx.log(`${r.platform}: ${r.status}${r.reason ? ` (${r.reason})` : ''} ${r.source_digest} -> ${r.patched_digest}`);
  await removeArchTags(deps, ctx, plan, index);
  if (!results.some((r) => r.status === 'Patched')) {
    stopIfAborted(ctx.signal);
    throw skip(
      'UP_TO_DATE',
      `copa found no newer packages for any platform of ${full}; the index it pushed as ${plan.target} holds the original platform images.`,
    );
  }
  stopIfAborted(ctx.signal);
  return { digest, platforms: results };
}

/** copa's per-platform tags `<target>-<arch>[-<variant>]` (pkg/patch/platform.go archTag): the index is the result. */
async function removeArchTags(
  deps: Pick<PatchDeps, 'harbor'>,
  ctx: PatchContext,
  plan: TargetPlan,
  index: IndexInput,
): Promise<void> {
  const { task } = ctx;
  for (const p of index.platforms.filter((x) => x.patch)) {
    const tag = `${plan.target}-${p.arch}${p.variant ? `-${p.variant}` : ''}`;
    try {
      await deleteTag(deps.harbor, task.project, task.repository, tag, tag);
      ctx.log(`removed copa's platform tag ${tag}`);
    } catch (err) {
      if (err instanceof HarborError && err.status === 404) continue;
      ctx.log(`copa's platform tag ${tag} was left in place: ${(err as Error).message}`);
    }
  }
}
