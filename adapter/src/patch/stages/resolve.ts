/**
 * Stage 1: resolve the artifact through Harbor (which must answer with an artifact of this very
 * repository) and decide, as the preview and policy runs do (decide.ts). After the report stage,
 * `acceptDecision` records what is known and ends a task that is not to be patched with its skip.
 */
import {
  getArtifact,
  getVulnerabilities,
  type HarborArtifact,
  type VulnerabilityItem,
} from '../../harbor/repositories';
import { scanOverview } from '../../harbor/scans';
import { isIndex, type RegistryClient } from '../../registry/client';
import { decideArtifact, findTaggedThroughHarbor, type Decision } from '../decide';
import { PatchOutcome, REASONS, skip, type ReasonCode } from '../reasons';
import { summarize } from '../report';
import { fullName, step, type PatchContext, type PatchDeps } from '../context';

/** What Harbor shows of the source artifact, and its vulnerability report when it has one. */
export interface SourceArtifact {
  artifact: HarborArtifact;
  /** Undefined while Harbor has no successful report of the artifact. */
  vulns?: VulnerabilityItem[];
}

export interface ResolvedSource extends SourceArtifact {
  decision: Decision;
}

/** A source that gets patched. */
export interface PatchSource extends SourceArtifact {
  /** The tag the patched tag is named after. */
  tag: string;
  /** Harbor has no scanner for the project: patched without a report (comprehensive mode). */
  noScanner: boolean;
}

export async function resolveArtifact(deps: Pick<PatchDeps, 'harbor'>, ctx: PatchContext): Promise<ResolvedSource> {
  const { task } = ctx;
  const full = fullName(task);
  const artifact = await step(ctx, `reading ${full}@${task.source_digest}`, () =>
    getArtifact(deps.harbor, full, task.source_digest),
  );
  const vulns =
    scanOverview(artifact)?.scan_status === 'Success'
      ? await readVulnerabilities(deps, ctx, 'reading the vulnerability report', task.source_digest)
      : undefined;
  return { artifact, vulns, decision: await decide(deps, ctx, { artifact, vulns }) };
}

/** The artifact's vulnerability report (undefined when Harbor has none). */
export function readVulnerabilities(
  deps: Pick<PatchDeps, 'harbor'>,
  ctx: PatchContext,
  what: string,
  digest: string,
): Promise<VulnerabilityItem[] | undefined> {
  return step(ctx, what, () => getVulnerabilities(deps.harbor, fullName(ctx.task), digest));
}

/** decide.ts's decision for the task's artifact; `withoutReport` when the project has no scanner. */
export function decide(
  deps: Pick<PatchDeps, 'harbor'>,
  ctx: PatchContext,
  source: SourceArtifact,
  withoutReport = false,
): Promise<Decision> {
  const { task, options } = ctx;
  return step(ctx, 'deciding whether to patch', () =>
    decideArtifact({
      harbor: deps.harbor,
      project: task.project,
      repository: task.repository,
      artifact: source.artifact,
      options,
      tag: task.tag,
      vulnerabilities: source.vulns,
      withoutReport,
      findTagged: findTaggedThroughHarbor(deps.harbor, fullName(task)),
    }),
  );
}

/**
 * Records the tag decided on and the report before patching; a skip decision ends the task here with
 * its outcome. Answers the source to patch.
 */
export async function acceptDecision(
  deps: { harbor: PatchDeps['harbor']; registry: Pick<RegistryClient, 'getManifest' | 'findPackageDatabase'> },
  ctx: PatchContext,
  source: ResolvedSource & { noScanner: boolean },
): Promise<PatchSource> {
  const { decision, vulns } = source;
  if (decision.tag && decision.tag !== ctx.task.tag) await ctx.record({ tag: decision.tag });
  if (vulns) await ctx.record({ vulnerabilities_before: summarize(vulns) });
  if (decision.kind === 'skip') throw await skipOutcome(deps, ctx, decision, vulns);
  return { artifact: source.artifact, vulns, tag: decision.tag, noScanner: source.noScanner };
}

/**
 * The outcome of a skip decision. Records what exists (the patched image already there), and says
 * so when an image with no known vulnerability has no package database at all (scratch, static
 * distroless): then copa has nothing it could ever update.
 */
async function skipOutcome(
  deps: { harbor: PatchDeps['harbor']; registry: Pick<RegistryClient, 'getManifest' | 'findPackageDatabase'> },
  ctx: PatchContext,
  decision: Extract<Decision, { kind: 'skip' }>,
  vulns: VulnerabilityItem[] | undefined,
): Promise<PatchOutcome> {
  const full = fullName(ctx.task);
  if (decision.existing) {
    const { tag, digest } = decision.existing;
    const after = await readVulnerabilities(deps, ctx, 'reading the patched report', digest);
    await ctx.record({
      patched_tag: tag,
      patched_digest: digest,
      vulnerabilities_after: after ? summarize(after) : null,
    });
  }
  if (decision.reason === 'NOTHING_FIXABLE' && vulns?.length === 0 && !(await hasPackageDatabase(deps, ctx))) {
    return skip(
      'NOTHING_FIXABLE',
      `${full}:${decision.tag} has no package database that copa could update (no dpkg, apk or rpm database, as in images built from scratch or static distroless images), so there is nothing to patch.`,
    );
  }
  const code = decision.reason in REASONS ? (decision.reason as ReasonCode) : 'INTERNAL';
  return new PatchOutcome(code, decision.message);
}

/** Whether the image holds a package database; true when that cannot be read (the message then stays general). */
async function hasPackageDatabase(
  deps: { registry: Pick<RegistryClient, 'getManifest' | 'findPackageDatabase'> },
  ctx: PatchContext,
): Promise<boolean> {
  const full = fullName(ctx.task);
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
