/**
 * Stage 4: copa's input. A single-platform image must be of a Linux distribution copa knows; targeted
 * mode hands copa the fixable packages of the report (an UpdateManifest), comprehensive mode none (copa
 * updates every package). An image index is planned platform by platform (index-input.ts).
 */
import type { VulnerabilityItem } from '../../harbor/repositories';
import { isIndex, type OsRelease, type RegistryClient } from '../../registry/client';
import { fail, PatchOutcome, skip } from '../reasons';
import { buildUpdateManifest, copaOsType, type UpdateManifestV1Alpha1 } from '../report';
import { fullName, step, type PatchContext, type PatchDeps } from '../context';
import { READING_OS_RELEASE, type TaskProgressMeter } from '../progress';
import type { PatchSource } from './resolve';
import { readIndexInput, type IndexInput } from './index-input';
import { hostArchitecture } from '../platforms';

export interface CopaInput {
  /** The packages copa updates (targeted mode); undefined: every package (comprehensive mode). */
  updateManifest?: UpdateManifestV1Alpha1;
  /** An image index: what copa does with each platform image. */
  index?: IndexInput;
  /**
   * Comprehensive mode, single-platform image: copa runs without the image's os-release read first. When copa
   * fails, this reads it and answers UNSUPPORTED_OS if copa cannot patch that OS (the plainer reason).
   */
  unsupportedOs?: () => Promise<PatchOutcome | undefined>;
}

export async function readCopaInput(
  deps: Pick<PatchDeps, 'harbor'> & { registry: Pick<RegistryClient, 'getManifest' | 'getConfig' | 'readOsRelease'> },
  ctx: PatchContext,
  meter: TaskProgressMeter,
  source: PatchSource,
): Promise<CopaInput> {
  const { task } = ctx;
  const full = fullName(task);
  const manifest = await step(ctx, 'reading the image manifest', () =>
    deps.registry.getManifest(full, task.source_digest),
  );
  if (!manifest) throw fail('NOT_FOUND', `The registry has no manifest ${task.source_digest} in ${full}.`);
  if (isIndex(manifest)) return { index: await readIndexInput(deps, ctx, meter, source) };
  const config = await step(ctx, 'reading the image config', () => deps.registry.getConfig(full, manifest));

  const arch = config.architecture ?? 'amd64';
  // copa patches a single-platform image as the host's platform: anything else would come out mislabelled.
  if (arch !== hostArchitecture()) {
    throw skip(
      'MULTI_PLATFORM',
      `${full}@${task.source_digest.slice(0, 19)} is a linux/${arch} image; copa patches a single-platform image only for this host's platform (linux/${hostArchitecture()}). Patch the image index it belongs to instead: its linux/${arch} image is patched there.`,
    );
  }
  const ref = `${full}:${source.tag}`;
  if (ctx.options.mode !== 'targeted') {
    // copa finds the image's OS itself when it updates every package, so it starts without waiting for the
    // os-release read (about a second per large layer): the read only explains a failure.
    return {
      unsupportedOs: async () => {
        const os = await deps.registry.readOsRelease(full, manifest).catch(() => 'unreadable' as const);
        return os === 'unreadable' ? undefined : unsupportedOsOutcome(ref, os, arch, ctx.options.mode);
      },
    };
  }
  meter.at('copa', 0, READING_OS_RELEASE);
  const os = await step(ctx, 'reading /etc/os-release from the image', () =>
    deps.registry.readOsRelease(full, manifest),
  );
  const input = copaInputFor(ref, os, arch, ctx.options.mode, source.vulns);
  if (input.updateManifest && os) {
    ctx.log(`${input.updateManifest.updates.length} package updates for ${os.id} ${os.version_id} (${arch})`);
  }
  return input;
}

/** UNSUPPORTED_OS when copa cannot patch an image running `os` (see copaInputFor); undefined when it can. */
export function unsupportedOsOutcome(
  ref: string,
  os: OsRelease | undefined,
  arch: string,
  mode: PatchContext['options']['mode'],
): PatchOutcome | undefined {
  try {
    copaInputFor(ref, os, arch, mode, []);
    return undefined;
  } catch (err) {
    if (err instanceof PatchOutcome) return err;
    throw err;
  }
}

/**
 * copa's input for an image (`ref`) running `os`: UNSUPPORTED_OS when copa cannot patch it (no
 * os-release, an unknown distribution, or no version to name in targeted mode's UpdateManifest).
 */
export function copaInputFor(
  ref: string,
  os: OsRelease | undefined,
  arch: string,
  mode: PatchContext['options']['mode'],
  vulns: readonly VulnerabilityItem[] | undefined,
): CopaInput {
  if (!os) {
    throw fail(
      'UNSUPPORTED_OS',
      `${ref} has no /etc/os-release, so its operating system cannot be identified; only Linux distribution images (Debian, Ubuntu, Alpine, RHEL-like) can be patched.`,
    );
  }
  const osType = copaOsType(os);
  if (!osType || (mode === 'targeted' && !os.version_id)) {
    throw fail(
      'UNSUPPORTED_OS',
      `${ref} runs ${os.pretty_name ?? os.id}${os.version_id ? ` ${os.version_id}` : ''}, which copa cannot patch; supported are Debian, Ubuntu, Alpine and RHEL-like releases.`,
    );
  }
  if (mode !== 'targeted') return {};
  return { updateManifest: buildUpdateManifest({ type: osType, version: os.version_id }, arch, vulns ?? []) };
}
