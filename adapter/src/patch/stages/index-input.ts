/**
 * Stage 4 for an image index: copa's input platform by platform. Each platform image of the index is read
 * as a single image would be (its os-release, its own report in Harbor, which scans every child of an
 * index); a platform copa can patch gets an UpdateManifest (targeted mode) or is named in `--platform`
 * (comprehensive mode), every other one is carried over as it is, with the reason recorded.
 */
import type { VulnerabilityItem } from '../../harbor/repositories';
import type { RegistryClient } from '../../registry/client';
import { isIndex } from '../../registry/client';
import { PatchOutcome, fail, skip, type ReasonCode } from '../reasons';
import { fixableAtThreshold, summarize, type UpdateManifestV1Alpha1 } from '../report';
import { indexReferences, nativePlatforms, platformName, type PlatformResult } from '../platforms';
import { fullName, step, type PatchContext, type PatchDeps } from '../context';
import { READING_PLATFORM_IMAGES, type TaskProgressMeter } from '../progress';
import { copaInputFor } from './copa-input';
import { readVulnerabilities, type PatchSource } from './resolve';
import type { Severity } from '../../model/execution';

/** One platform image of the index and what copa does with it. */
export interface PlatformPlan {
  platform: string;
  digest: string;
  arch: string;
  variant?: string;
  /** Handed to copa; otherwise carried over (`reason`, `message`). */
  patch: boolean;
  reason?: ReasonCode;
  message: string;
  /** Targeted mode: the platform's fixable packages. */
  updateManifest?: UpdateManifestV1Alpha1;
  /** Harbor's report of the platform image (undefined when it has none). */
  vulns?: VulnerabilityItem[];
}

export interface IndexInput {
  platforms: PlatformPlan[];
}

export async function readIndexInput(
  deps: Pick<PatchDeps, 'harbor'> & { registry: Pick<RegistryClient, 'getManifest' | 'getConfig' | 'readOsRelease'> },
  ctx: PatchContext,
  meter: TaskProgressMeter,
  source: PatchSource,
): Promise<IndexInput> {
  const { task, options } = ctx;
  const full = fullName(task);
  const native = nativePlatforms();
  meter.at('copa', 0, READING_PLATFORM_IMAGES);
  const platforms: PlatformPlan[] = [];
  for (const ref of indexReferences(source.artifact.references)) {
    const name = platformName(ref.platform);
    const base = {
      platform: name,
      digest: ref.child_digest,
      arch: ref.platform?.architecture ?? 'unknown',
      variant: ref.platform?.variant,
    };
    const carry = (reason: ReasonCode, message: string, vulns?: VulnerabilityItem[]): PlatformPlan => ({
      ...base,
      patch: false,
      reason,
      message,
      vulns,
    });
    if (!native.includes(name)) {
      platforms.push(
        carry(
          'MULTI_PLATFORM',
          `${name} does not run natively on this host (${native.join(', ')}); it is kept as it is, since the service patches without emulation.`,
        ),
      );
      continue;
    }
    const manifest = await step(ctx, `reading the ${name} image manifest`, () =>
      deps.registry.getManifest(full, ref.child_digest),
    );
    if (!manifest) throw fail('NOT_FOUND', `The registry has no manifest ${ref.child_digest} (${name}) in ${full}.`);
    if (isIndex(manifest)) {
      platforms.push(carry('MULTI_PLATFORM', `${name} is itself an image index; nested indexes are kept as they are.`));
      continue;
    }
    const os = await step(ctx, `reading /etc/os-release of ${name}`, () => deps.registry.readOsRelease(full, manifest));
    const vulns = source.noScanner
      ? undefined
      : await readVulnerabilities(deps, ctx, `reading the ${name} vulnerability report`, ref.child_digest);
    let input;
    try {
      input = copaInputFor(`${full}:${source.tag} (${name})`, os, base.arch, options.mode, vulns);
    } catch (err) {
      if (!(err instanceof PatchOutcome)) throw err;
      platforms.push(carry(err.code, err.message, vulns));
      continue;
    }
    if (options.mode === 'targeted') {
      const reaching = fixableAtThreshold(vulns ?? [], options.severity_threshold as Severity);
      if (!vulns || reaching.length === 0) {
        const at = options.severity_threshold === 'None' ? '' : ` at or above ${options.severity_threshold}`;
        platforms.push(
          carry(
            'NOTHING_FIXABLE',
            vulns
              ? `${name} has no fixable vulnerability${at}; it is kept as it is.`
              : `${name} has no vulnerability report in Harbor; it is kept as it is.`,
            vulns,
          ),
        );
        continue;
      }
    }
    if (input.updateManifest) input.updateManifest.metadata.config.arch = base.arch;
    platforms.push({ ...base, patch: true, message: 'to be patched', updateManifest: input.updateManifest, vulns });
    if (input.updateManifest) ctx.log(`${name}: ${input.updateManifest.updates.length} package updates`);
  }
  await ctx.record({ platforms: platforms.map(initialResult) });
  for (const p of platforms.filter((x) => !x.patch))
    ctx.log(`${p.platform}: kept as it is (${p.reason}): ${p.message}`);
  if (!platforms.some((p) => p.patch)) throw noPlatformOutcome(`${full}:${source.tag}`, platforms);
  return { platforms };
}

/** A platform's record before copa runs. */
export function initialResult(p: PlatformPlan): PlatformResult {
  return {
    platform: p.platform,
    source_digest: p.digest,
    status: p.patch ? 'Pending' : 'Unchanged',
    reason: p.patch ? null : (p.reason ?? null),
    message: p.message,
    patched_digest: p.patch ? null : p.digest,
    vulnerabilities_before: p.vulns ? summarize(p.vulns) : null,
    vulnerabilities_after: p.patch ? null : p.vulns ? summarize(p.vulns) : null,
    fixed_cves: [],
    has_vex: false,
  };
}

/** The outcome of an index none of whose platforms copa can patch. */
function noPlatformOutcome(ref: string, platforms: PlatformPlan[]): PatchOutcome {
  const list = platforms.map((p) => `${p.platform}: ${p.message}`).join(' ');
  if (platforms.some((p) => p.reason === 'NOTHING_FIXABLE'))
    return skip('NOTHING_FIXABLE', `No platform of ${ref} has anything copa can fix. ${list}`);
  if (platforms.length > 0 && platforms.every((p) => p.reason === 'UNSUPPORTED_OS'))
    return fail('UNSUPPORTED_OS', `copa cannot patch any platform of ${ref}. ${list}`);
  return skip('MULTI_PLATFORM', `No platform of ${ref} can be patched on this host. ${list}`);
}
