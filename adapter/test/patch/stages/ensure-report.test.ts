/**
 * A scan of the original that gave no report: which reason ends the task, what it tells to do, and when
 * the task goes on without a report (no scanner, comprehensive mode).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unreportedScanOutcome } from '../../../src/patch/stages/ensure-report';

const o = { ref: 'library/app:1.0', project: 'library', scanTimeoutMs: 90_400 };

test('no scanner: targeted mode skips NOT_SCANNED saying what to add; comprehensive mode goes on without a report', () => {
  const targeted = unreportedScanOutcome(
    { state: 'no_scanner', message: 'no available scanner' },
    { ...o, mode: 'targeted' },
  );
  assert.equal(targeted?.code, 'NOT_SCANNED');
  assert.equal(targeted?.status, 'Skipped');
  assert.match(targeted?.message ?? '', /no vulnerability scanner for project library \("no available scanner"\)/);
  assert.match(targeted?.message ?? '', /Add a scanner .* or patch in comprehensive mode/);

  assert.equal(
    unreportedScanOutcome({ state: 'no_scanner', message: 'no available scanner' }, { ...o, mode: 'comprehensive' }),
    undefined,
  );
});

test('not scannable or a scan that did not finish is NOT_SCANNED; a failed scan is SCAN_FAILED, in either mode', () => {
  for (const mode of ['targeted', 'comprehensive'] as const) {
    const notScannable = unreportedScanOutcome(
      { state: 'not_scannable', message: 'unsupported media type' },
      { ...o, mode },
    );
    assert.deepEqual([notScannable?.code, notScannable?.status], ['NOT_SCANNED', 'Skipped']);
    assert.equal(notScannable?.message, 'Harbor cannot scan library/app:1.0: unsupported media type');

    const timeout = unreportedScanOutcome({ state: 'timeout' }, { ...o, mode });
    assert.deepEqual([timeout?.code, timeout?.status, timeout?.transient], ['NOT_SCANNED', 'Skipped', false]);
    assert.match(timeout?.message ?? '', /did not finish within 90 s/);

    const failed = unreportedScanOutcome({ state: 'failed', message: "Harbor's scan ended Error" }, { ...o, mode });
    assert.deepEqual([failed?.code, failed?.status], ['SCAN_FAILED', 'Error']);
  }
});
