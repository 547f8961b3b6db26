import assert from 'node:assert/strict';
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
  // exactly at the limit: no hash
  const fits = 'b'.repeat(120);
  assert.equal(patchedTagName(fits), `${fits}-patched`);
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
