/**
 * One patch task end to end (DESIGN §4): resolve -> (scan) -> decide -> build copa's input -> copa ->
 * verify the pushed tag -> re-scan -> labels -> delete original. Ends with an outcome or throws PatchOutcome.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { floatingTagName, isPatchedTag, patchedGeneration, patchedTagName } from '@harbor-patching/shared/policy/tags';
import { HarborClient, HarborError, repositoryPathSegment } from '../harbor/client';
import { getArtifact, getVulnerabilities, type HarborArtifact, type VulnerabilityItem } from '../harbor/repositories';
import { addLabel, artifactPath, classifyArtifact } from '../harbor/artifacts';
import { scanAndWait, scanOverview } from '../harbor/scans';
import { isTagImmutable, listImmutableRules } from '../harbor/immutable';
import { RegistryClient, RegistryError, isIndex, type ImageConfig } from '../registry/client';
import type { PatchOptions, Task, TaskProgress, VulnerabilitySummary } from '../store/executions';
import { PatchOutcome, fail, skip } from './reasons';
import { buildUpdateManifest, copaOsType, fixableAtThreshold, fixedCves, summarize } from './report';
import { classifyCopaFailure, copaFoundNothing, runCopa } from './copa';
import { TaskProgressMeter } from './progress';

export interface PatchDeps {
  /** Harbor API as the service robot. */
  harbor: HarborClient;
  /** Harbor's /v2/ as the service robot. */
  registry: RegistryClient;
  /** host[:port] copa uses in image references (Harbor's registry host); defaults to the registry client's host. */
  registryHost?: string;
  robot: { username: string; password: string };
  copaPath: string;
  /** copa's --eol-api-url (asked only in comprehensive mode); undefined: copa's default. */
  copaEolApiUrl?: string;
  buildkitAddr: string;
  /** Parent of the per-task work directories. */
  workRoot: string;
  copaTimeoutSeconds: number;
  scanTimeoutMs: number;
  scanPollMs?: number;
}

export interface PatchContext {
  task: Task;
  options: PatchOptions;
  /** Aborted on stop (reason 'stopped') or timeout (reason 'timeout'). */
  signal: AbortSignal;
  log: (line: string) => void;
  progress: (p: TaskProgress) => void;
  /** The service's own record: the source tags of the task's repository whose patches it pushed as `digest`. */
  sourceTagsPatchedInto: (digest: string) => string[];
  /** Persists partial results as they become known. */
  record: (fields: {
    tag?: string;
    patched_tag?: string | null;
    patched_digest?: string | null;
    vulnerabilities_before?: VulnerabilitySummary | null;
    vulnerabilities_after?: VulnerabilitySummary | null;
    fixed_cves?: string[];
    vex?: unknown;
    copa_pid?: number | null;
    copa_seconds?: number;
  }) => void;
}

export interface PatchResult {
  status: 'Success' | 'Skipped';
  reason?: string;
  message: string;
}

const BASE_IMAGE_LABEL = 'BaseImage';

function abortedOutcome(signal: AbortSignal): PatchOutcome {
  if (signal.reason === 'timeout')
    return fail('TIMEOUT', 'The patch took longer than the configured task timeout and was stopped.');
  return new PatchOutcome('STOPPED', 'Stopped on request.');
}

/** Maps errors of Harbor and registry calls onto classified outcomes. */
export function classifyError(err: unknown, what: string): PatchOutcome {
  if (err instanceof PatchOutcome) return err;
  if (err instanceof HarborError) {
    if (err.status === 0 || err.status >= 500) {
      return fail(
        'HARBOR_UNREACHABLE',
        `Harbor did not answer while ${what} (${err.message}). It will be retried; check that Harbor is up.`,
        true,
      );
    }
    if (err.status === 401) {
      return fail('HARBOR_AUTH', `Harbor rejected the service robot's credentials while ${what} (HTTP 401).`);
    }
    if (err.status === 403) {
      return fail(
        'ROBOT_PERMISSION',
        `Harbor refused the service robot while ${what} (HTTP 403): it lacks a permission in the project.`,
      );
    }
    if (err.status === 404)
      return fail('NOT_FOUND', `Harbor no longer has what was needed while ${what}: ${err.message}`);
    return fail('INTERNAL', `Harbor answered HTTP ${err.status} while ${what}: ${err.message}`);
  }
  if (err instanceof RegistryError) {
    if (err.auth) return fail('REGISTRY_AUTH', `${err.message}.`);
    if (err.transient) return fail('REGISTRY_UNREACHABLE', `The registry failed while ${what}: ${err.message}`, true);
    return fail('INTERNAL', `The registry answered while ${what}: ${err.message}`);
  }
  return fail('INTERNAL', `Unexpected error while ${what}: ${(err as Error)?.message ?? String(err)}`);
}

async function step<T>(ctx: Pick<PatchContext, 'signal'>, what: string, fn: () => Promise<T>): Promise<T> {
  if (ctx.signal.aborted) throw abortedOutcome(ctx.signal);
  try {
    return await fn();
  } catch (err) {
    if (ctx.signal.aborted) throw abortedOutcome(ctx.signal);
    throw classifyError(err, what);
  }
}

export async function runPatchTask(deps: PatchDeps, ctx: PatchContext): Promise<PatchResult> {
  const { task, options } = ctx;
  const project = task.project;
  const repository = task.repository;
  const full = `${project}/${repository}`;
  const log = ctx.log;

  // 1. Resolve the artifact through Harbor (which must answer with an artifact of this very repository).
  const meter = new TaskProgressMeter(ctx.progress);
  meter.at('resolve');
  let artifact = await step(ctx, `reading ${full}@${task.source_digest}`, () =>
    getArtifact(deps.harbor, full, task.source_digest),
  );
  const kind = classifyArtifact(artifact);
  if (kind === 'other') {
    throw skip(
      'NOT_IMAGE',
      `${full}@${task.source_digest.slice(0, 19)} is a ${artifact.type ?? 'non-image'} artifact, not a container image; only images can be patched.`,
    );
  }
  if (kind === 'index') {
    throw skip('MULTI_PLATFORM', `${full} is a multi-platform image index; patch its single-platform images instead.`);
  }
  const tags = (artifact.tags ?? []).map((t) => t.name);
  const tag = task.tag ?? tags.find((t) => !isPatchedTag(t, options.tag_suffix)) ?? tags[0];
  if (!tag)
    throw fail(
      'NO_TAG',
      `${full}@${task.source_digest} has no tag; patched images are named after the source tag, so tag it first.`,
    );
  if (tag !== task.tag) ctx.record({ tag });
  if (isPatchedTag(tag, options.tag_suffix)) {
    throw skip(
      'ALREADY_PATCHED',
      `${full}:${tag} is itself a patched image; patching always starts from the original tag instead.`,
    );
  }
  const manifest = await step(ctx, 'reading the image manifest', () =>
    deps.registry.getManifest(full, task.source_digest),
  );
  if (!manifest) throw fail('NOT_FOUND', `The registry has no manifest ${task.source_digest} in ${full}.`);
  if (isIndex(manifest))
    throw skip('MULTI_PLATFORM', `${full} is a multi-platform image index; patch its single-platform images instead.`);
  const config = await step(ctx, 'reading the image config', () => deps.registry.getConfig(full, manifest));
  const baseImage = baseImageOf(config);
  if (baseImage) {
    throw skip(
      'ALREADY_PATCHED',
      `${full}:${tag} was produced by patching ${baseImage}; patch the original image instead.`,
    );
  }

  // 2. Make sure there is a vulnerability report.
  let vulns: VulnerabilityItem[] | undefined;
  const overview = scanOverview(artifact);
  if (overview?.scan_status === 'Success') {
    vulns = await step(ctx, 'reading the vulnerability report', () =>
      getVulnerabilities(deps.harbor, full, task.source_digest),
    );
  }
  if (!vulns) {
    if (!options.scan_if_missing) {
      throw skip(
        'NOT_SCANNED',
        `${full}:${tag} has no vulnerability report yet; scan it in Harbor, or let the policy scan missing reports.`,
      );
    }
    meter.at('scan');
    log(`no vulnerability report for ${full}:${tag}: asking Harbor to scan it`);
    const scan = await step(ctx, 'scanning the original', () =>
      scanAndWait(deps.harbor, project, repository, task.source_digest, {
        timeoutMs: deps.scanTimeoutMs,
        pollMs: deps.scanPollMs,
        signal: ctx.signal,
      }),
    );
    if (scan.state === 'not_scannable') throw skip('NOT_SCANNED', `Harbor cannot scan ${full}:${tag}: ${scan.message}`);
    if (scan.state === 'timeout') {
      throw fail(
        'NOT_SCANNED',
        `Harbor's scan of ${full}:${tag} did not finish within ${Math.round(deps.scanTimeoutMs / 1000)} s; check the scanner and try again.`,
      );
    }
    if (scan.state === 'failed')
      throw fail(
        'SCAN_FAILED',
        `Harbor could not scan ${full}:${tag} (${scan.message}); check the scanner's log in Harbor.`,
      );
    artifact = scan.artifact;
    vulns = await step(ctx, 'reading the vulnerability report', () =>
      getVulnerabilities(deps.harbor, full, task.source_digest),
    );
    vulns ??= [];
  }
  const before = summarize(vulns);
  ctx.record({ vulnerabilities_before: before });

  // 3. Decide.
  const wanted = fixableAtThreshold(vulns, options.severity_threshold);
  if (wanted.length === 0) {
    const at = options.severity_threshold === 'None' ? '' : ` at or above ${options.severity_threshold}`;
    throw skip(
      'NOTHING_FIXABLE',
      `${full}:${tag} has ${before.total} known vulnerabilities but none${at} has a fixed package version yet: nothing to patch.`,
    );
  }

  const existingTags = await step(ctx, 'listing tags', () => deps.registry.listTags(full));
  let target: string;
  if (options.tag_scheme === 'incremental') {
    const generations = existingTags
      .map((t) => patchedGeneration(t, tag, options.tag_suffix))
      .filter((n): n is number => n !== undefined);
    const latest = generations.length ? Math.max(...generations) : 0;
    if (latest > 0)
      await checkUpToDate(deps, ctx, full, patchedTagName(tag, 'incremental', options.tag_suffix, latest));
    target = patchedTagName(tag, 'incremental', options.tag_suffix, latest + 1);
    // The new generation is a new tag; the floating tag moved to it afterwards may already exist.
    const floating = floatingTagName(tag, options.tag_suffix);
    if (existingTags.includes(floating)) await checkPatchedTagSource(deps, ctx, full, tag, floating);
  } else {
    target = floatingTagName(tag, options.tag_suffix);
    if (existingTags.includes(target)) {
      await checkUpToDate(deps, ctx, full, target);
      const rules = await step(ctx, 'reading immutable tag rules', () => listImmutableRules(deps.harbor, project));
      if (isTagImmutable(rules, repository, target)) {
        throw fail(
          'TAG_IMMUTABLE',
          `${full}:${target} already exists and an immutable tag rule of project ${project} protects it, so it cannot be overwritten. Use the incremental tag scheme, or change the rule.`,
        );
      }
      await checkPatchedTagSource(deps, ctx, full, tag, target);
    }
  }
  const previousTargetDigest = existingTags.includes(target)
    ? await step(ctx, 'resolving the current patched tag', () => deps.registry.resolveDigest(full, target))
    : undefined;
  ctx.record({ patched_tag: target });

  // 4. Build copa's input.
  meter.at('copa', 0, 'Reading OS release');
  const os = await step(ctx, 'reading /etc/os-release from the image', () =>
    deps.registry.readOsRelease(full, manifest),
  );
  if (!os) {
    throw fail(
      'UNSUPPORTED_OS',
      `${full}:${tag} has no /etc/os-release, so its operating system cannot be identified; only Linux distribution images (Debian, Ubuntu, Alpine, RHEL-like) can be patched.`,
    );
  }
  const osType = copaOsType(os);
  if (!osType || (options.mode === 'targeted' && !os.version_id)) {
    throw fail(
      'UNSUPPORTED_OS',
      `${full}:${tag} runs ${os.pretty_name ?? os.id}${os.version_id ? ` ${os.version_id}` : ''}, which copa cannot patch; supported are Debian, Ubuntu, Alpine and RHEL-like releases.`,
    );
  }
  const updateManifest =
    options.mode === 'targeted'
      ? buildUpdateManifest({ type: osType, version: os.version_id }, config.architecture ?? 'amd64', vulns)
      : undefined;
  if (updateManifest)
    log(
      `${updateManifest.updates.length} package updates for ${os.id} ${os.version_id} (${config.architecture ?? 'amd64'})`,
    );

  // 5. Run copa.
  const workDir = join(deps.workRoot, `task-${task.id}`);
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  const host = deps.registryHost ?? deps.registry.host;
  let copa;
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
      target: `${host}/${full}:${target}`,
      updateManifest,
      timeoutSeconds: deps.copaTimeoutSeconds,
      signal: ctx.signal,
      onLine: log,
      onProgress: (p) => meter.at('copa', p.fraction, p.stage),
      onSpawn: (pid) => ctx.record({ copa_pid: pid }),
    });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  ctx.record({ copa_pid: null, copa_seconds: copa.seconds });
  if (copa.killed || ctx.signal.aborted) throw abortedOutcome(ctx.signal);
  if (copa.exitCode !== 0) {
    const c = classifyCopaFailure(copa.lines);
    const advice: Record<typeof c.code, string> = {
      BUILDKIT_UNREACHABLE: `copa could not reach buildkitd at ${deps.buildkitAddr}; start buildkitd or fix the configured address.`,
      REGISTRY_AUTH: `the registry refused the service robot while copa pulled or pushed ${full}; give the robot pull and push rights.`,
      REGISTRY_UNREACHABLE: `the registry failed while copa pulled or pushed ${full}.`,
      TIMEOUT: `copa did not finish within ${deps.copaTimeoutSeconds} s.`,
      UNSUPPORTED_OS: `copa cannot patch this image's operating system.`,
      COPA_FAILED: `copa failed; see the task log.`,
    };
    throw fail(c.code, `${advice[c.code]} (${c.detail})`, c.transient);
  }
  if (copaFoundNothing(copa.lines)) {
    ctx.record({ patched_tag: null });
    throw skip(
      'UP_TO_DATE',
      `copa found no newer packages for ${full}:${tag} in its package sources; nothing was pushed.`,
    );
  }

  // 6. Verify: exit 0 is not proof of a push.
  meter.at('verify');
  const patchedDigest = await step(ctx, 'verifying the patched tag', () => deps.registry.resolveDigest(full, target));
  if (!patchedDigest || patchedDigest === previousTargetDigest || patchedDigest === task.source_digest) {
    throw fail(
      'VERIFY_FAILED',
      `copa reported success but ${full}:${target} was not updated in the registry; see the task log.`,
    );
  }
  ctx.record({ patched_digest: patchedDigest, vex: copa.vex });
  log(`pushed ${full}:${target} as ${patchedDigest}`);
  if (!updateManifest) log('comprehensive mode: copa writes no VEX document without a vulnerability report');

  const notes: string[] = [];
  let alsoTagged = '';
  if (options.tag_scheme === 'incremental') {
    if (ctx.signal.aborted) throw abortedOutcome(ctx.signal);
    const floating = floatingTagName(tag, options.tag_suffix);
    const note = await pointFloatingTag(deps, {
      project,
      repository,
      digest: patchedDigest,
      tag: floating,
      exists: existingTags.includes(floating),
      log,
    });
    if (note) notes.push(note);
    else alsoTagged = ` (also tagged ${floating})`;
  }

  // 7. Re-scan, labels, delete original.
  let rescanned = false;
  if (options.rescan) {
    meter.at('rescan');
    const scan = await step(ctx, 're-scanning the patched image', () =>
      scanAndWait(deps.harbor, project, repository, patchedDigest, {
        timeoutMs: deps.scanTimeoutMs,
        pollMs: deps.scanPollMs,
        signal: ctx.signal,
      }),
    );
    if (scan.state === 'done') {
      const after =
        (await step(ctx, 'reading the patched report', () => getVulnerabilities(deps.harbor, full, patchedDigest))) ??
        [];
      const fixed = fixedCves(vulns, after);
      ctx.record({ vulnerabilities_after: summarize(after), fixed_cves: fixed });
      log(`re-scan: ${after.length} vulnerabilities remain, ${fixed.length} CVEs fixed`);
      rescanned = true;
    } else {
      notes.push(`the re-scan of the patched image did not complete (${scan.state})`);
    }
  }
  if (options.copy_labels) {
    for (const label of artifact.labels ?? []) {
      try {
        await addLabel(deps.harbor, project, repository, patchedDigest, label.id);
      } catch (err) {
        notes.push(`label ${label.name} was not copied (${(err as Error).message})`);
      }
    }
  }
  if (options.delete_original) {
    if (!rescanned) notes.push('the original was kept because the patched image was not re-scanned');
    else notes.push(await deleteOriginal(deps, ctx, artifact, tag));
  }
  const message =
    `Patched ${full}:${tag} into ${target}${alsoTagged}.` + (notes.length ? ` Note: ${notes.join('; ')}.` : '');
  return { status: 'Success', message };
}

function baseImageOf(config: ImageConfig): string | undefined {
  return config.config?.labels?.[BASE_IMAGE_LABEL] ?? config.config?.Labels?.[BASE_IMAGE_LABEL];
}

/** Skips UP_TO_DATE when `patchedTag` came from this same source digest and has nothing fixable left. */
async function checkUpToDate(deps: PatchDeps, ctx: PatchContext, full: string, patchedTag: string): Promise<void> {
  const m = await step(ctx, 'reading the existing patched image', () => deps.registry.getManifest(full, patchedTag));
  if (!m || isIndex(m)) return;
  const cfg = await step(ctx, 'reading the existing patched image', () => deps.registry.getConfig(full, m));
  const base = baseImageOf(cfg);
  if (!base || !base.endsWith(`@${ctx.task.source_digest}`)) return;
  let patched: HarborArtifact;
  try {
    patched = await getArtifact(deps.harbor, full, m.digest);
  } catch {
    return;
  }
  if (scanOverview(patched)?.scan_status !== 'Success') return;
  const vulns = (await getVulnerabilities(deps.harbor, full, m.digest)) ?? [];
  if (fixableAtThreshold(vulns, ctx.options.severity_threshold).length > 0) return;
  ctx.record({ patched_tag: patchedTag, patched_digest: m.digest, vulnerabilities_after: summarize(vulns) });
  throw skip('UP_TO_DATE', `${full}:${patchedTag} was already patched from this image and has nothing fixable left.`);
}

/**
 * Before an existing patched tag is overwritten: its image must have been made from this same source,
 * either from this very image (copa's `BaseImage` label names `<repository>@<source digest>`) or, by the
 * service's own record, from this same source tag (an earlier image of a tag that has moved since).
 * Anything else (another tag's patch, an image the service did not make) fails TAG_CONFLICT and is left
 * as it is.
 */
export async function checkPatchedTagSource(
  deps: Pick<PatchDeps, 'registry'>,
  ctx: Pick<PatchContext, 'signal' | 'sourceTagsPatchedInto' | 'log'> & { task: Pick<Task, 'source_digest'> },
  full: string,
  sourceTag: string,
  patchedTag: string,
): Promise<void> {
  const m = await step(ctx, 'reading the existing patched image', () => deps.registry.getManifest(full, patchedTag));
  if (!m) return; // gone since the tags were listed: nothing to overwrite
  const base = isIndex(m)
    ? undefined
    : baseImageOf(await step(ctx, 'reading the existing patched image', () => deps.registry.getConfig(full, m)));
  if (base?.endsWith(`/${full}@${ctx.task.source_digest}`)) return;
  const recorded = ctx.sourceTagsPatchedInto(m.digest);
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

/**
 * Incremental scheme: points the floating tag (`<tag>-patched`) at the newest generation, creating it
 * or moving it, unless an immutable tag rule protects the existing floating tag. Never fails the task
 * (the generation is already pushed and verified): answers a note for the task message when the
 * floating tag was left as it was, undefined when it now points at `digest`.
 */
export async function pointFloatingTag(
  deps: Pick<PatchDeps, 'harbor' | 'registry'>,
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

/** Removes the source tag; the artifact itself goes too when that tag was its only one. */
async function deleteOriginal(
  deps: PatchDeps,
  ctx: PatchContext,
  artifact: HarborArtifact,
  tag: string,
): Promise<string> {
  const { project, repository, source_digest } = ctx.task;
  const onlyTag = (artifact.tags ?? []).every((t) => t.name === tag);
  try {
    if (onlyTag) {
      await deps.harbor.request('DELETE', artifactPath(project, repository, source_digest));
      ctx.log(`deleted the original artifact ${project}/${repository}@${source_digest}`);
      return 'the original artifact was deleted';
    }
    await deps.harbor.request(
      'DELETE',
      `/projects/${encodeURIComponent(project)}/repositories/${repositoryPathSegment(repository)}/artifacts/${source_digest}/tags/${encodeURIComponent(tag)}`,
    );
    ctx.log(`deleted the original tag ${project}/${repository}:${tag}`);
    return `the original tag ${tag} was deleted`;
  } catch (err) {
    const e = err as HarborError;
    if (e.status === 412) return `the original could not be deleted because an immutable tag rule protects ${tag}`;
    return `the original could not be deleted (${e.message})`;
  }
}
