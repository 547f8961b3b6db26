/**
 * Image indexes, platform by platform: which children of an index copa can patch on this host, and what
 * a task records per platform. copa v0.14.2 patches an index in one run (each platform it is given a
 * report for, or each platform of `--platform` in update-all mode) and keeps the others as they are;
 * it pushes one index.
 */
import type { PlatformResult } from '../model/execution';

export type { PlatformResult };

/** A child of an index as Harbor lists it in `references[]`. */
export interface IndexReference {
  child_digest: string;
  platform?: { os?: string; architecture?: string; variant?: string } | null;
}

/** `os/architecture[/variant]`, as copa and docker name platforms. */
export function platformName(p: IndexReference['platform']): string {
  const base = `${p?.os ?? 'unknown'}/${p?.architecture ?? 'unknown'}`;
  return p?.variant ? `${base}/${p.variant}` : base;
}

/**
 * Linux platforms whose binaries this host runs without emulation: buildkitd runs copa's package manager
 * steps inside the image, so only these can be patched (x86_64 also runs i386 natively). Other platforms
 * of an index are kept as they are. copa itself insists on finding `qemu-<arch>-static` for every
 * platform other than the host's, even i386 (e2e/toolchain/setup.sh provides it).
 */
export function nativePlatforms(arch: string = process.arch): string[] {
  switch (arch) {
    case 'x64':
      return ['linux/amd64', 'linux/386'];
    case 'arm64':
      return ['linux/arm64'];
    default:
      return [];
  }
}

/** The OCI architecture of this host (copa patches a single-platform image as the host's platform). */
export function hostArchitecture(arch: string = process.arch): string {
  return arch === 'x64' ? 'amd64' : arch === 'ia32' ? '386' : arch;
}

/** The references of an index Harbor shows (attestation manifests, `unknown/unknown`, are not platforms). */
export function indexReferences(references: readonly unknown[] | null | undefined): IndexReference[] {
  return ((references ?? []) as IndexReference[]).filter(
    (r) => typeof r?.child_digest === 'string' && r.platform?.os !== 'unknown',
  );
}

/**
 * Why no child of an index can be patched here, or undefined when one can: the MULTI_PLATFORM skip is left
 * for indexes with no Linux platform this host runs natively (e.g. only linux/arm64 on an x86_64 host).
 */
export function unsupportedIndex(
  references: readonly unknown[] | null | undefined,
  native = nativePlatforms(),
): string | undefined {
  const refs = indexReferences(references);
  if (refs.length === 0) return 'it lists no platform images';
  const names = refs.map((r) => platformName(r.platform));
  if (names.some((n) => native.includes(n))) return undefined;
  return `none of its platforms (${names.join(', ')}) runs natively on this host (${native.join(', ') || 'none'}), and the service patches without emulation`;
}
