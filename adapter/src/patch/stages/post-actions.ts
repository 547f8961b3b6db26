/**
 * Stage 7, after a verified push: move the floating tag (incremental scheme), re-scan the patched image,
 * copy the original's labels, delete the original. None of these fails the task (the patched image is
 * there): what did not happen becomes a note in the task's message. A stop still ends it STOPPED.
 */
import { addLabel, deleteArtifact, deleteTag } from '../../harbor/artifacts';
import { HarborError } from '../../harbor/client';
import { isTagImmutable, listImmutableRules } from '../../harbor/immutable';
import type { HarborArtifact } from '../../harbor/repositories';
import { RegistryError, type RegistryClient } from '../../registry/client';
import {
  fullName,
  scanArtifact,
  step,
  stopIfAborted,
  type PatchContext,
  type PatchDeps,
  type StoredPlatformResult,
} from '../context';
import type { TaskProgressMeter } from '../progress';
import { fixedCves, summarize } from '../report';
import type { TargetPlan } from './plan-target';
import { readVulnerabilities, type PatchSource } from './resolve';
import type { PushedImage } from './verify';

export interface PostActions {
  /** The floating tag now pointing at the new generation (incremental scheme). */
  floatingTagged?: string;
  /** What was left undone, for the task's message. */
  notes: string[];
  /** The patched image was signed with cosign. */
  signed?: boolean;
}

export async function runPostActions(
  deps: Pick<PatchDeps, 'harbor' | 'registry' | 'scanTimeoutMs' | 'scanPollMs' | 'scanEvents'>,
  ctx: PatchContext,
  meter: TaskProgressMeter,
  source: PatchSource,
  plan: TargetPlan,
  pushed: PushedImage,
): Promise<PostActions> {
  const { task, options } = ctx;
  const notes: string[] = [];
  let floatingTagged: string | undefined;
  if (plan.floating) {
    const note = await pointFloatingTag(deps, {
      project: task.project,
      repository: task.repository,
      digest: pushed.digest,
      tag: plan.floating.tag,
      exists: plan.floating.exists,
      log: ctx.log,
    });
    if (note) notes.push(note);
    else floatingTagged = plan.floating.tag;
  }

  let rescanned = false;
  if (source.noScanner) {
    notes.push(
      `Harbor has no vulnerability scanner for project ${task.project}, so the image was not scanned before or after`,
    );
  } else if (options.rescan) {
    const note = await rescanPatched(deps, ctx, meter, source, pushed);
    if (note) notes.push(note);
    else rescanned = true;
  }
  stopIfAborted(ctx.signal);

  if (options.copy_labels) notes.push(...(await copyLabels(deps, ctx, source.artifact, pushed)));
  if (options.delete_original) {
    // Only a patched image whose report is known replaces the original.
    if (!rescanned) notes.push('the original was kept because the patched image was not re-scanned');
    else notes.push(await deleteOriginal(deps, ctx, source.artifact, source.tag));
  }
  return { floatingTagged, notes };
}

/** The message of a successful task; for an image index, what each platform got. */
export function successMessage(
  full: string,
  tag: string,
  target: string,
  post: PostActions,
  platforms?: readonly StoredPlatformResult[],
): string {
  const alsoTagged = post.floatingTagged ? ` (also tagged ${post.floatingTagged})` : '';
  const notes = post.notes.length ? ` Note: ${post.notes.join('; ')}.` : '';
  const signed = post.signed ? ' and signed it' : '';
  const perPlatform = platforms?.length
    ? ` Platforms: ${platforms.map((p) => `${p.platform} ${p.status === 'Patched' ? 'patched' : `kept as it is (${p.reason})`}`).join(', ')}.`
    : '';
  return `Patched ${full}:${tag} into ${target}${alsoTagged}${signed}.${perPlatform}${notes}`;
}

/**
 * Incremental scheme: points the floating tag (`<tag>-patched`) at the newest generation, creating it
 * or moving it, unless an immutable tag rule protects the existing floating tag. Never fails the task
 * (the generation is already pushed and verified): answers a note for the task message when the
 * floating tag was left as it was, undefined when it now points at `digest`.
 */
export async function pointFloatingTag(
  deps: Pick<PatchDeps, 'harbor'> & { registry: Pick<RegistryClient, 'tagManifest'> },
  t: { project: string; repository: string; digest: string; tag: string; exists: boolean; log: (line: string) => void },
): Promise<string | undefined> {
  const full = `${t.project}/${t.repository}`;
  const protectedNote = `${t.tag} was not moved to the new patch because an immutable tag rule of project ${t.project} protects it`;
  try {
    if (t.exists) {
      const rules = await listImmutableRules(deps.harbor, t.project);
      if (isTagImmutable(rules, t.repository, t.tag)) return protectedNote;
    }
    await deps.registry.tagManifest(full, t.digest, t.tag);
    t.log(`tagged ${full}@${t.digest} as ${t.tag}`);
    return undefined;
  } catch (err) {
    if (err instanceof RegistryError && err.status === 412) return protectedNote;
    const message = err instanceof Error ? err.message : String(err);
    t.log(`the floating tag ${t.tag} was not moved: ${message}`);
    return `${t.tag} was not moved to the new patch (${message})`;
  }
}

/**
 * Has Harbor scan the patched image and records its report and the CVEs fixed. Answers a note when the
 * re-scan did not complete, undefined when the report is known.
 */
async function rescanPatched(
  deps: Pick<PatchDeps, 'harbor' | 'scanTimeoutMs' | 'scanPollMs' | 'scanEvents'>,
  ctx: PatchContext,
  meter: TaskProgressMeter,
  source: PatchSource,
  pushed: PushedImage,
): Promise<string | undefined> {
  const { task } = ctx;
  meter.at('rescan');
  const scan = await step(ctx, 're-scanning the patched image', () => scanArtifact(deps, ctx, pushed.digest));
  if (scan.state === 'no_scanner') {
    return `the patched image was not re-scanned: Harbor has no vulnerability scanner for project ${task.project}`;
  }
  if (scan.state !== 'done') return `the re-scan of the patched image did not complete (${scan.state})`;
  const after = (await readVulnerabilities(deps, ctx, 'reading the patched report', pushed.digest)) ?? [];
  const fixed = fixedCves(source.vulns ?? [], after);
  await ctx.record({ vulnerabilities_after: summarize(after), fixed_cves: fixed });
  ctx.log(`re-scan: ${after.length} vulnerabilities remain, ${fixed.length} CVEs fixed`);
  if (pushed.platforms) await recordPlatformReports(deps, ctx, pushed.platforms);
  return undefined;
}

/**
 * An image index: Harbor scanned each platform image of the patched index; each patched platform's
 * counts and fixed CVEs come from its own report and the original platform image's.
 */
async function recordPlatformReports(
  deps: Pick<PatchDeps, 'harbor'>,
  ctx: PatchContext,
  platforms: StoredPlatformResult[],
): Promise<void> {
  const updated: StoredPlatformResult[] = [];
  for (const p of platforms) {
    if (p.status !== 'Patched' || !p.patched_digest) {
      updated.push(p);
      continue;
    }
    const before = (await readVulnerabilities(deps, ctx, `reading the ${p.platform} report`, p.source_digest)) ?? [];
    const after =
      (await readVulnerabilities(deps, ctx, `reading the patched ${p.platform} report`, p.patched_digest)) ?? [];
    const fixed = fixedCves(before, after);
    updated.push({ ...p, vulnerabilities_after: summarize(after), fixed_cves: fixed });
    ctx.log(`re-scan ${p.platform}: ${after.length} vulnerabilities remain, ${fixed.length} CVEs fixed`);
  }
  await ctx.record({ platforms: updated });
}

/** Attaches the original's labels to the patched image; answers a note per label that was not copied. */
async function copyLabels(
  deps: Pick<PatchDeps, 'harbor'>,
  ctx: PatchContext,
  artifact: HarborArtifact,
  pushed: PushedImage,
): Promise<string[]> {
  const notes: string[] = [];
  for (const label of artifact.labels ?? []) {
    try {
      await addLabel(deps.harbor, ctx.task.project, ctx.task.repository, pushed.digest, label.id);
    } catch (err) {
      notes.push(`label ${label.name} was not copied (${(err as Error).message})`);
    }
  }
  return notes;
}

/** Removes the source tag; the artifact itself goes too when that tag was its only one. Answers a note. */
export async function deleteOriginal(
  deps: Pick<PatchDeps, 'harbor'>,
  ctx: Pick<PatchContext, 'task' | 'log'>,
  artifact: Pick<HarborArtifact, 'tags'>,
  tag: string,
): Promise<string> {
  const { project, repository, source_digest } = ctx.task;
  const onlyTag = (artifact.tags ?? []).every((t) => t.name === tag);
  try {
    if (onlyTag) {
      await deleteArtifact(deps.harbor, project, repository, source_digest);
      ctx.log(`deleted the original artifact ${fullName(ctx.task)}@${source_digest}`);
      return 'the original artifact was deleted';
    }
    await deleteTag(deps.harbor, project, repository, source_digest, tag);
    ctx.log(`deleted the original tag ${fullName(ctx.task)}:${tag}`);
    return `the original tag ${tag} was deleted`;
  } catch (err) {
    if (err instanceof HarborError && err.status === 412) {
      return `the original could not be deleted because an immutable tag rule protects ${tag}`;
    }
    return `the original could not be deleted (${(err as Error).message})`;
  }
}
