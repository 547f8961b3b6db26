// Debian version comparison, exactly as dpkg does it (lib/dpkg/version.c: verrevcmp and dpkg_version_compare).
// A version is [epoch:]upstream[-revision]; '~' sorts before everything, even the end of the string.

export interface DebianVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

/** Splits a version string into epoch, upstream version and revision. Throws on an unusable version. */
export function parseDebianVersion(version: string): DebianVersion {
  const text = version.trim();
  if (text === '') throw new Error('Debian version is empty');
  let epoch = 0;
  let rest = text;
  const colon = text.indexOf(':');
  if (colon >= 0) {
    const epochText = text.slice(0, colon);
    if (!/^\d+$/.test(epochText)) throw new Error(`Debian version "${version}" has an epoch that is not a number`);
    epoch = Number(epochText);
    rest = text.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  const upstream = dash >= 0 ? rest.slice(0, dash) : rest;
  const revision = dash >= 0 ? rest.slice(dash + 1) : '';
  if (upstream === '') throw new Error(`Debian version "${version}" has an empty upstream part`);
  if (!/^\d/.test(upstream)) throw new Error(`Debian version "${version}" must start with a digit`);
  return { epoch, upstream, revision };
}

// dpkg's order(): '~' < end of string < digits (handled apart) < letters < other characters.
function order(c: string | undefined): number {
  if (c === undefined) return 0;
  if (c >= '0' && c <= '9') return 0;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return c.charCodeAt(0);
  if (c === '~') return -1;
  return c.charCodeAt(0) + 256;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

function compareFragment(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(a[i])) || (j < b.length && !isDigit(b[j]))) {
      const ac = order(a[i]);
      const bc = order(b[j]);
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (a[i] === '0') i++;
    while (b[j] === '0') j++;
    while (isDigit(a[i]) && isDigit(b[j])) {
      if (!firstDiff) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a[i])) return 1;
    if (isDigit(b[j])) return -1;
    if (firstDiff) return firstDiff;
  }
  return 0;
}

/** Negative when a < b, 0 when equal, positive when a > b (Debian ordering). */
export function compareDebianVersions(a: string, b: string): number {
  const va = parseDebianVersion(a);
  const vb = parseDebianVersion(b);
  if (va.epoch !== vb.epoch) return va.epoch > vb.epoch ? 1 : -1;
  const upstream = compareFragment(va.upstream, vb.upstream);
  if (upstream !== 0) return Math.sign(upstream);
  return Math.sign(compareFragment(va.revision, vb.revision));
}

export const debVersionLessThan = (a: string, b: string): boolean => compareDebianVersions(a, b) < 0;
