import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { isPatchedTag, isValidTag, patchedGeneration, patchedTagName, tagSuffixProblem } from './tags';

test('floating and incremental names', () => {
  assert.equal(patchedTagName('1.0'), '1.0-patched');
  assert.equal(patchedTagName('1.0', 'floating', 'fixed'), '1.0-fixed');
  assert.equal(patchedTagName('1.0', 'incremental', 'patched', 3), '1.0-patched-3');
  assert.throws(() => patchedTagName('1.0', 'incremental'), /generation/);
  assert.throws(() => patchedTagName('1.0', 'incremental', 'patched', 0), /generation/);
});

test('long source tags are cut and hashed to stay a valid 128-character tag', () => {
  const long = 'v' + 'a'.repeat(127);
  const floating = patchedTagName(long);
  assert.equal(floating.length, 128);
  assert.ok(isValidTag(floating));
  assert.ok(floating.endsWith('-patched'));
  const other = patchedTagName('v' + 'a'.repeat(126) + 'b');
  assert.notEqual(floating, other, 'different long tags give different patched tags');
  assert.equal(patchedTagName(long), floating, 'the name is stable');
  const inc = patchedTagName(long, 'incremental', 'patched', 12);
  assert.equal(inc.length, 128);
  assert.ok(inc.endsWith('-patched-12'));
  assert.equal(patchedGeneration(inc, long), 12);
  // Plain names stay below the limit; a name that would be exactly 128 characters is cut and hashed.
  const fits = 'b'.repeat(119);
  assert.equal(patchedTagName(fits), `${fits}-patched`);
  const atLimit = 'b'.repeat(120);
  assert.equal(patchedTagName(atLimit).length, 128);
  assert.notEqual(patchedTagName(atLimit), `${atLimit}-patched`);
});

/** The former scheme: 10 hex digits of FNV-1a 64 over the whole source tag. */
function formerName(sourceTag: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(sourceTag)) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return `${sourceTag.slice(0, 109)}.${h.toString(16).padStart(16, '0').slice(0, 10)}-patched`;
}

test('two long tags with the same cut prefix that collided under the former 10-hex FNV-1a get different patched tags', () => {
  // Found by a birthday search over 2^21 tails (19 s); both keep the same 109-character cut.
  const prefix = 'v' + 'a'.repeat(108);
  const a = `${prefix}z7y8aaaaaaaaaaaaaaa`;
  const b = `${prefix}by2gbaaaaaaaaaaaaaa`;
  assert.equal(formerName(a), formerName(b), 'the pair did collide before');
  assert.equal(a.length, 128);
  const [na, nb] = [patchedTagName(a), patchedTagName(b)];
  assert.notEqual(na, nb);
  for (const [source, name] of [
    [a, na],
    [b, nb],
  ]) {
    assert.equal(name.length, 128);
    assert.ok(isValidTag(name));
    // The hash is SHA-256 (as Node computes it), 32 hex digits, after the cut.
    const hash = createHash('sha256').update(source).digest('hex').slice(0, 32);
    assert.equal(name, `${source.slice(0, 128 - '-patched'.length - 33)}.${hash}-patched`);
  }
  for (const scheme of ['floating', 'incremental'] as const) {
    for (const suffix of ['patched', 'x', 's'.repeat(32)]) {
      const gen = scheme === 'incremental' ? 123456789 : undefined;
      assert.notEqual(patchedTagName(a, scheme, suffix, gen), patchedTagName(b, scheme, suffix, gen));
      assert.ok(isValidTag(patchedTagName(a, scheme, suffix, gen)));
    }
  }
});

test("a source tag written like another tag's cut name cannot take that tag's patched name", () => {
  const long = 'release-' + 'x'.repeat(120);
  const cutName = patchedTagName(long);
  // `<cut>.<hash>` is itself a valid 120-character tag; `-patched` after it would be that same name.
  const lookalike = cutName.slice(0, -'-patched'.length);
  assert.ok(isValidTag(lookalike));
  assert.equal(`${lookalike}-patched`, cutName);
  assert.notEqual(patchedTagName(lookalike), cutName);
});

test('invalid inputs are refused', () => {
  assert.throws(() => patchedTagName('-bad'), /not a valid tag/);
  assert.throws(() => patchedTagName('1.0', 'floating', 'bad suffix'), /suffix/);
  assert.match(tagSuffixProblem('')!, /empty/);
  assert.match(tagSuffixProblem('.x')!, /start/);
  assert.match(tagSuffixProblem('x'.repeat(33))!, /at most/);
  assert.equal(tagSuffixProblem('patched_2'), undefined);
});

test('patched tags are recognised', () => {
  assert.equal(isPatchedTag('1.0-patched'), true);
  assert.equal(isPatchedTag('1.0-patched-4'), true);
  assert.equal(isPatchedTag('1.0'), false);
  assert.equal(isPatchedTag('patched'), false);
  assert.equal(isPatchedTag('1.0-fixed', 'fixed'), true);
  assert.equal(patchedGeneration('1.0-patched-2', '1.0'), 2);
  assert.equal(patchedGeneration('1.0-patched', '1.0'), undefined);
  assert.equal(patchedGeneration('1.1-patched-2', '1.0'), undefined);
});
