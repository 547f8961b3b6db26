/**
 * One patch task end to end: resolve -> decide (decide.ts, as preview and policy runs) ->
 * (scan, decide again) -> build copa's input -> copa -> verify the pushed tag -> re-scan -> labels ->
 * delete original. Ends with an outcome or throws PatchOutcome. A stop or timeout in any stage ends
 * it STOPPED or TIMEOUT; `patched_tag` is reported only once the image is in the registry.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { floatingTagName, patchedGeneration, patchedTagName } from '@harbor-patching/shared/policy/tags';
import { HarborClient, HarborError, repositoryPathSegment } from '../harbor/client';
import { getArtifact, getVulnerabilities, type HarborArtifact, type VulnerabilityItem } from '../harbor/repositories';
import { addLabel, artifactPath } from '../harbor/artifacts';
import { scanAndWait, scanOverview } from '../harbor/scans';
import { isTagImmutable, listImmutableRules } from '../harbor/immutable';
import { RegistryClient, RegistryError, isIndex, type ImageConfig } from '../registry/client';
import type { PatchOptions, Task, TaskProgress, VulnerabilitySummary } from '../store/executions';
import { PatchOutcome, REASONS, fail, skip, type ReasonCode } from './reasons';
import { buildUpdateManifest, copaOsType, fixedCves, summarize } from './report';
import { classifyCopaFailure, copaFoundNothing, runCopa } from './copa';
import { TaskProgressMeter } from './progress';
import { BASE_IMAGE_LABEL, decideArtifact, findTaggedThroughHarbor, isPatchOf, type Decision } from './decide';

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
  reason?: ReasonCode;
  message: string;
}

/** The outcome of a task whose signal was aborted: by a stop (STOPPED) or by the task timeout (TIMEOUT). */
export function abortedOutcome(signal: AbortSignal): PatchOutcome {
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

  // 1. Resolve the artifact through Harbor (which must answer with an artifact of this very repository) and
  // decide, as the preview and policy runs do.
  const meter = new TaskProgressMeter(ctx.progress);
  meter.at('resolve');
  let artifact = await step(ctx, `reading ${full}@${task.source_digest}`, () =>
    getArtifact(deps.harbor, full, task.source_digest),
  );
  let vulns: VulnerabilityItem[] | undefined;
  if (scanOverview(artifact)?.scan_status === 'Success') {
    vulns = await step(ctx, 'reading the vulnerability report', () =>
      getVulnerabilities(deps.harbor, full, task.source_digest),
    );
  }
  const decide = (withoutReport = false) =>
    step(ctx, 'deciding whether to patch', () =>
      decideArtifact({
        harbor: deps.harbor,
        project,
        repository,
        artifact,
        options,
        tag: task.tag,
        vulnerabilities: vulns,
        withoutReport,
        findTagged: findTaggedThroughHarbor(deps.harbor, full),
      }),
    );
  let decision = await decide();

  // 2. No vulnerability report: ask Harbor to scan (policies select scanned artifacts only).
  let noScanner = false;
  if (decision.kind === 'skip' && decision.reason === 'NOT_SCANNED' && options.scan_if_missing) {
    const ref = `${full}:${decision.tag}`;
    meter.at('scan');
    log(`no vulnerability report for ${ref}: asking Harbor to scan it`);
    const scan = await step(ctx, 'scanning the original', () =>
      scanAndWait(deps.harbor, project, repository, task.source_digest, {
        timeoutMs: deps.scanTimeoutMs,
        pollMs: deps.scanPollMs,
        signal: ctx.signal,
      }),
    );
    if (scan.state === 'no_scanner') {
      if (options.mode !== 'comprehensive') {
        throw skip(
          'NOT_SCANNED',
          `Harbor has no vulnerability scanner for project ${project} ("${scan.message}"), so ${ref} has no report to patch from. Add a scanner (such as Trivy) in Harbor, or patch in comprehensive mode, which updates every package without a report.`,
        );
      }
      noScanner = true;
      log(`Harbor has no vulnerability scanner for project ${project}: patching without a report (comprehensive mode)`);
      decision = await decide(true);
    } else if (scan.state === 'not_scannable') {
      throw skip('NOT_SCANNED', `Harbor cannot scan ${ref}: ${scan.message}`);
    } else if (scan.state === 'timeout') {
      throw fail(
        'NOT_SCANNED',
        `Harbor's scan of ${ref} did not finish within ${Math.round(deps.scanTimeoutMs / 1000)} s; check the scanner and try again.`,
      );
    } else if (scan.state === 'failed') {
      throw fail('SCAN_FAILED', `Harbor could not scan ${ref} (${scan.message}); check the scanner's log in Harbor.`);
    } else {
      artifact = scan.artifact;
      vulns =
        (await step(ctx, 'reading the vulnerability report', () =>
          getVulnerabilities(deps.harbor, full, task.source_digest),
        )) ?? [];
      decision = await decide();
    }
  }
  if (decision.tag && decision.tag !== task.tag) ctx.record({ tag: decision.tag });
  if (vulns) ctx.record({ vulnerabilities_before: summarize(vulns) });
  if (decision.kind === 'skip') throw await skipOutcome(deps, ctx, decision, vulns);
  const tag = decision.tag;

  // 3. Where the patched image goes.
  const existingTags = await step(ctx, 'listing tags', () => deps.registry.listTags(full));
  let target: string;
  if (options.tag_scheme === 'incremental') {
    const generations = existingTags
      .map((t) => patchedGeneration(t, tag, options.tag_suffix))
      .filter((n): n is number => n !== undefined);
    const latest = generations.length ? Math.max(...generations) : 0;
    target = patchedTagName(tag, 'incremental', options.tag_suffix, latest + 1);
    // The new generation is a new tag; the floating tag moved to it afterwards may already exist.
    const floating = floatingTagName(tag, options.tag_suffix);
    if (existingTags.includes(floating)) await checkPatchedTagSource(deps, ctx, full, tag, floating);
  } else {
    target = floatingTagName(tag, options.tag_suffix);
    if (existingTags.includes(target)) {
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
  const manifest = await step(ctx, 'reading the image manifest', () =>
    deps.registry.getManifest(full, task.source_digest),
  );
  if (!manifest) throw fail('NOT_FOUND', `The registry has no manifest ${task.source_digest} in ${full}.`);
  if (isIndex(manifest))
    throw skip('MULTI_PLATFORM', `${full} is a multi-platform image index; patch its single-platform images instead.`);
  const config = await step(ctx, 'reading the image config', () => deps.registry.getConfig(full, manifest));

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
      ? buildUpdateManifest({ type: osType, version: os.version_id }, config.architecture ?? 'amd64', vulns ?? [])
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
  if (copa.killed || ctx.signal.aborted) {
    // copa may have pushed before it was stopped: report the patched image only if it is there.
    await deps.registry
      .resolveDigest(full, target)
      .then((digest) => {
        if (digest && digest !== previousTargetDigest && digest !== task.source_digest) {
          ctx.record({ patched_tag: target, patched_digest: digest });
          log(`copa pushed ${full}:${target} as ${digest} before it was stopped`);
        }
      })
      .catch(() => undefined);
    throw abortedOutcome(ctx.signal);
  }
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
    throw skip(
      'UP_TO_DATE',
      `copa found no newer packages for ${full}:${tag} in its package sources; nothing was pushed.`,
    );
  }

  // 6. Verify: exit 0 is not proof of a push. Done even when a stop arrives now, so the task reports what was pushed.
  meter.at('verify');
  let patchedDigest: string | undefined;
  try {
    patchedDigest = await deps.registry.resolveDigest(full, target);
  } catch (err) {
    if (ctx.signal.aborted) throw abortedOutcome(ctx.signal);
    throw classifyError(err, 'verifying the patched tag');
  }
  if (!patchedDigest || patchedDigest === previousTargetDigest || patchedDigest === task.source_digest) {
    if (ctx.signal.aborted) throw abortedOutcome(ctx.signal);
    throw fail(
      'VERIFY_FAILED',
      `copa reported success but ${full}:${target} was not updated in the registry; see the task log.`,
    );
  }
  const pushed = patchedDigest;
  ctx.record({ patched_tag: target, patched_digest: pushed, vex: copa.vex });
  log(`pushed ${full}:${target} as ${pushed}`);
  if (!updateManifest) log('comprehensive mode: copa writes no VEX document without a vulnerability report');
  if (ctx.signal.aborted) throw abortedOutcome(ctx.signal);

  const notes: string[] = [];
  let alsoTagged = '';
  if (options.tag_scheme === 'incremental') {
    const floating = floatingTagName(tag, options.tag_suffix);
    const note = await pointFloatingTag(deps, {
      project,
      repository,
      digest: pushed,
      tag: floating,
      exists: existingTags.includes(floating),
      log,
    });
    if (note) notes.push(note);
    else alsoTagged = ` (also tagged ${floating})`;
  }

  // 7. Re-scan, labels, delete original.
  let rescanned = false;
  if (noScanner) {
    notes.push(
      `Harbor has no vulnerability scanner for project ${project}, so the image was not scanned before or after`,
    );
  } else if (options.rescan) {
    meter.at('rescan');
    const scan = await step(ctx, 're-scanning the patched image', () =>
      scanAndWait(deps.harbor, project, repository, pushed, {
        timeoutMs: deps.scanTimeoutMs,
        pollMs: deps.scanPollMs,
        signal: ctx.signal,
      }),
    );
    if (scan.state === 'done') {
      const after =
        (await step(ctx, 'reading the patched report', () => getVulnerabilities(deps.harbor, full, pushed))) ?? [];
      const fixed = fixedCves(vulns ?? [], after);
      ctx.record({ vulnerabilities_after: summarize(after), fixed_cves: fixed });
      log(`re-scan: ${after.length} vulnerabilities remain, ${fixed.length} CVEs fixed`);
      rescanned = true;
    } else if (scan.state === 'no_scanner') {
      notes.push(`the patched image was not re-scanned: Harbor has no vulnerability scanner for project ${project}`);
    } else {
      notes.push(`the re-scan of the patched image did not complete (${scan.state})`);
    }
  }
  if (ctx.signal.aborted) throw abortedOutcome(ctx.signal);
  if (options.copy_labels) {
    for (const label of artifact.labels ?? []) {
      try {
        await addLabel(deps.harbor, project, repository, pushed, label.id);
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

/**
 * The outcome of a skip decision. Records what exists (the patched image already there), and says
 * so when an image with no known vulnerability has no package database at all (scratch, static
 * distroless): then copa has nothing it could ever update.
 */
async function skipOutcome(
  deps: PatchDeps,
  ctx: PatchContext,
  decision: Extract<Decision, { kind: 'skip' }>,
  vulns: VulnerabilityItem[] | undefined,
): Promise<PatchOutcome> {
  const full = `${ctx.task.project}/${ctx.task.repository}`;
  if (decision.existing) {
    const { tag, digest } = decision.existing;
    const after = await step(ctx, 'reading the patched report', () => getVulnerabilities(deps.harbor, full, digest));
    ctx.record({ patched_tag: tag, patched_digest: digest, vulnerabilities_after: after ? summarize(after) : null });
  }
  if (decision.reason === 'NOTHING_FIXABLE' && vulns?.length === 0 && !(await hasPackageDatabase(deps, ctx, full))) {
    return skip(
      'NOTHING_FIXABLE',
      `${full}:${decision.tag} has no package database that copa could update (no dpkg, apk or rpm database, as in images built from scratch or static distroless images), so there is nothing to patch.`,
    );
  }
  const code = decision.reason in REASONS ? (decision.reason as ReasonCode) : 'INTERNAL';
  return new PatchOutcome(code, decision.message);
}

/** Whether the image holds a package database; true when that cannot be read (the message then stays general). */
async function hasPackageDatabase(deps: PatchDeps, ctx: PatchContext, full: string): Promise<boolean> {
  try {
    const manifest = await deps.registry.getManifest(full, ctx.task.source_digest);
    if (!manifest || isIndex(manifest)) return true;
    const found = await deps.registry.findPackageDatabase(full, manifest);
    if (found) ctx.log(`package database: /${found}`);
    return found !== undefined;
  } catch (err) {
    ctx.log(`could not look for a package database: ${(err as Error).message}`);
    return true;
  }
}

/**
 * Before an existing patched tag is overwritten: its image must have been made from this same source,
 * either from this very image (copa's `BaseImage` label names `<repository>@<source digest>`) or, by the
 * service's own record, from this same source tag (an earlier image of a tag that has moved since).
 * Anything else (another tag's patch, an image the service did not make) fails TAG_CONFLICT and is left
 * as it is.
 */
/** copa's BaseImage label as the registry holds the image config. */
function configBaseImage(config: ImageConfig): string | undefined {
  return config.config?.labels?.[BASE_IMAGE_LABEL] ?? config.config?.Labels?.[BASE_IMAGE_LABEL];
}

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
    : configBaseImage(await step(ctx, 'reading the existing patched image', () => deps.registry.getConfig(full, m)));
  if (isPatchOf(base, full, ctx.task.source_digest)) return;
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
