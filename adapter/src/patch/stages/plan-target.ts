/**
 * Stage 3: where the patched image goes. Floating scheme: `<tag>-<suffix>`, overwritten unless an
 * immutable tag rule protects it; incremental: the next generation `<tag>-<suffix>-<n>`, after which
 * the floating tag follows (post-actions). An existing tag is overwritten only when its image was made
 * from this same source.
 */
import { floatingTagName, patchedGeneration, patchedTagName } from '@harbor-patching/shared/policy/tags';
import { isTagImmutable, listImmutableRules } from '../../harbor/immutable';
import { isIndex, type ImageConfig, type RegistryClient } from '../../registry/client';
import { BASE_IMAGE_LABEL, isPatchOf } from '../decide';
import { fail } from '../reasons';
import { fullName, step, type PatchContext, type PatchDeps } from '../context';

export interface TargetPlan {
  /** The tag copa pushes. */
  target: string;
  /** Incremental scheme: the floating tag moved to the new generation afterwards, and whether it exists now. */
  floating?: { tag: string; exists: boolean };
  /** What `target` pointed at before copa ran (undefined: a new tag): an unchanged tag is no push. */
  previousDigest?: string;
}

/** The tag the patched image of `tag` gets, given the repository's tags (incremental: one generation past the newest). */
export function targetTagFor(
  tag: string,
  options: Pick<PatchContext['options'], 'tag_scheme' | 'tag_suffix'>,
  existingTags: readonly string[],
): string {
  if (options.tag_scheme !== 'incremental') return floatingTagName(tag, options.tag_suffix);
  const generations = existingTags
    .map((t) => patchedGeneration(t, tag, options.tag_suffix))
    .filter((n): n is number => n !== undefined);
  const latest = generations.length ? Math.max(...generations) : 0;
  return patchedTagName(tag, 'incremental', options.tag_suffix, latest + 1);
}

export async function planTarget(
  deps: {
    harbor: PatchDeps['harbor'];
    registry: Pick<RegistryClient, 'listTags' | 'resolveDigest' | 'getManifest' | 'getConfig'>;
  },
  ctx: PatchContext,
  tag: string,
): Promise<TargetPlan> {
  const { task, options } = ctx;
  const full = fullName(task);
  const existingTags = await step(ctx, 'listing tags', () => deps.registry.listTags(full));
  const target = targetTagFor(tag, options, existingTags);
  let floating: TargetPlan['floating'];
  if (options.tag_scheme === 'incremental') {
    // The new generation is a new tag; the floating tag moved to it afterwards may already exist.
    const floatingTag = floatingTagName(tag, options.tag_suffix);
    floating = { tag: floatingTag, exists: existingTags.includes(floatingTag) };
    if (floating.exists) await checkPatchedTagSource(deps, ctx, full, tag, floating.tag);
  } else if (existingTags.includes(target)) {
    const rules = await step(ctx, 'reading immutable tag rules', () => listImmutableRules(deps.harbor, task.project));
    if (isTagImmutable(rules, task.repository, target)) {
      throw fail(
        'TAG_IMMUTABLE',
        `${full}:${target} already exists and an immutable tag rule of project ${task.project} protects it, so it cannot be overwritten. Use the incremental tag scheme, or change the rule.`,
      );
    }
    await checkPatchedTagSource(deps, ctx, full, tag, target);
  }
  const previousDigest = existingTags.includes(target)
    ? await step(ctx, 'resolving the current patched tag', () => deps.registry.resolveDigest(full, target))
    : undefined;
  return { target, floating, previousDigest };
}

/** copa's BaseImage label as the registry holds the image config. */
function configBaseImage(config: ImageConfig): string | undefined {
  return config.config?.labels?.[BASE_IMAGE_LABEL] ?? config.config?.Labels?.[BASE_IMAGE_LABEL];
}

/**
 * Before an existing patched tag is overwritten: its image must have been made from this same source,
 * either from this very image (copa's `BaseImage` label names `<repository>@<source digest>`) or, by the
 * service's own record, from this same source tag (an earlier image of a tag that has moved since).
 * Anything else (another tag's patch, an image the service did not make) fails TAG_CONFLICT and is left
 * as it is.
 */
export async function checkPatchedTagSource(
  deps: { registry: Pick<RegistryClient, 'getManifest' | 'getConfig'> },
  ctx: Pick<PatchContext, 'signal' | 'sourceTagsPatchedInto' | 'log'> & {
    task: Pick<PatchContext['task'], 'source_digest'>;
  },
  full: string,
  sourceTag: string,
  patchedTag: string,
): Promise<void> {
  const m = await step(ctx, 'reading the existing patched image', () => deps.registry.getManifest(full, patchedTag));
  if (!m) return; // gone since the tags were listed: nothing to overwrite
  // An index has no config: copa labels each platform image it patched with the source index.
  const image = isIndex(m)
    ? m.manifests?.[0] &&
      (await step(ctx, 'reading the existing patched image', () =>
        deps.registry.getManifest(full, m.manifests![0].digest),
      ))
    : m;
  const base =
    image && !isIndex(image)
      ? configBaseImage(
          await step(ctx, 'reading the existing patched image', () => deps.registry.getConfig(full, image)),
        )
      : undefined;
  if (isPatchOf(base, full, ctx.task.source_digest)) return;
  const recorded = await ctx.sourceTagsPatchedInto(m.digest);
  if (recorded.includes(sourceTag)) return;
  const origin = recorded.length
    ? `this service made it from ${recorded.map((t) => `${full}:${t}`).join(', ')}`
    : base
      ? `it was patched from ${base}`
      : 'it was not made by patching this image';
  ctx.log(`${full}:${patchedTag} (${m.digest}) is not a patch of ${full}:${sourceTag}: ${origin}`);
  throw fail(
    'TAG_CONFLICT',
    `${full}:${patchedTag} already exists and was not made from ${full}:${sourceTag} (${origin}), so it was left untouched. Delete or rename that tag, or patch with another tag suffix.`,
  );
}
