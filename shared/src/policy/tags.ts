/**
 * Names of patched tags. Floating: `<tag>-<suffix>` (overwritten on re-patch). Incremental:
 * `<tag>-<suffix>-<generation>` (1, 2, ...). An OCI tag is `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`.
 *
 * Long source tags: when the name would reach 128 characters, the source tag is cut and the first 32 hex
 * digits (128 bits) of the SHA-256 of the whole source tag are added after the cut,
 * `<cut>.<hash>-<suffix>[-<n>]`, exactly 128 characters. Names made this way are always 128 characters
 * and plain names at most 127, so a source tag cannot be chosen to look like another one's cut name, and
 * two different long tags share a patched tag only if SHA-256 collides on 128 bits. The name stays stable
 * across runs. (The patch task also checks, before it overwrites an existing patched tag, that the
 * image there was made from the same source.)
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { DEFAULT_TAG_SUFFIX, type TagScheme } from './model';

export const OCI_TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
export const OCI_TAG_MAX = 128;
/** The suffix alone: starts with a letter or digit, may hold `.`, `_`, `-`; short enough to leave room for the tag. */
export const TAG_SUFFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const TAG_SUFFIX_MAX = 32;
/** 128 bits: a birthday search needs about 2^64 tags. */
const HASH_LENGTH = 32;

export function isValidTag(tag: string): boolean {
  return OCI_TAG_PATTERN.test(tag);
}

/** Returns a readable problem with a tag suffix, or undefined when it is valid. */
export function tagSuffixProblem(suffix: string): string | undefined {
  if (typeof suffix !== 'string' || suffix.length === 0) return 'the tag suffix must not be empty';
  if (suffix.length > TAG_SUFFIX_MAX) return `the tag suffix may have at most ${TAG_SUFFIX_MAX} characters`;
  if (!TAG_SUFFIX_PATTERN.test(suffix)) {
    return 'the tag suffix may hold letters, digits, ".", "_" and "-", and must start with a letter or digit';
  }
  return undefined;
}

/**
 * The first HASH_LENGTH hex digits of SHA-256. @noble/hashes computes it synchronously and in pure JS, the
 * same in the portal (the browser's crypto.subtle is asynchronous) and in the adapter.
 */
function tagHash(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text))).slice(0, HASH_LENGTH);
}

/**
 * The tag a patched image of `sourceTag` gets. `generation` (>= 1) is required for the incremental
 * scheme and ignored for floating. Throws when the source tag or suffix are not valid.
 */
export function patchedTagName(
  sourceTag: string,
  scheme: TagScheme = 'floating',
  suffix: string = DEFAULT_TAG_SUFFIX,
  generation?: number,
): string {
  if (!isValidTag(sourceTag)) throw new Error(`"${sourceTag}" is not a valid tag`);
  const problem = tagSuffixProblem(suffix);
  if (problem) throw new Error(problem);
  let ending = `-${suffix}`;
  if (scheme === 'incremental') {
    if (generation === undefined || !Number.isInteger(generation) || generation < 1) {
      throw new Error('the incremental tag scheme needs a generation number >= 1');
    }
    ending += `-${generation}`;
  }
  // Plain names stay below the limit, cut names are exactly at it: the two forms never meet.
  if (sourceTag.length + ending.length < OCI_TAG_MAX) return sourceTag + ending;
  const keep = OCI_TAG_MAX - ending.length - HASH_LENGTH - 1;
  return `${sourceTag.slice(0, keep)}.${tagHash(sourceTag)}${ending}`;
}

/** The floating tag of the incremental scheme is the plain floating name. */
export function floatingTagName(sourceTag: string, suffix: string = DEFAULT_TAG_SUFFIX): string {
  return patchedTagName(sourceTag, 'floating', suffix);
}

/**
 * Whether a tag looks like one that patching produced with this suffix (`...-<suffix>` or
 * `...-<suffix>-<n>`): such tags are never patched again, the original is.
 */
export function isPatchedTag(tag: string, suffix: string = DEFAULT_TAG_SUFFIX): boolean {
  const escaped = suffix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`-${escaped}(?:-[0-9]+)?$`).test(tag);
}

/** The generation number of an incremental patched tag of `sourceTag`, or undefined. */
export function patchedGeneration(
  tag: string,
  sourceTag: string,
  suffix: string = DEFAULT_TAG_SUFFIX,
): number | undefined {
  const m = /-([1-9][0-9]{0,8})$/.exec(tag);
  if (!m) return undefined;
  const n = Number(m[1]);
  return patchedTagName(sourceTag, 'incremental', suffix, n) === tag ? n : undefined;
}
