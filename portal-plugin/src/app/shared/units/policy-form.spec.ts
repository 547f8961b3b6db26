import { FormControl } from '@angular/forms';
import {
  CRON_PRESETS,
  cronOfPreset,
  cronValidator,
  fieldPath,
  nextRun,
  patternProblem,
  policyNameValidator,
  presetOfCron,
  tagPreview,
  tagSuffixValidator,
} from './policy-form';

describe('policy form helpers', () => {
  it("maps the cron presets like Harbor's cron-selection (seconds first)", () => {
    expect(cronOfPreset('Hourly')).toBe('0 0 * * * *');
    expect(cronOfPreset('Daily')).toBe('0 0 0 * * *');
    expect(cronOfPreset('Weekly')).toBe('0 0 0 * * 0');
    expect(cronOfPreset('Custom', '0 30 2 * * 1-5')).toBe('0 30 2 * * 1-5');
    expect(CRON_PRESETS.daily).toBe('0 0 0 * * *');
  });

  it('recognises a stored cron as its preset, tolerating extra spaces, else Custom', () => {
    expect(presetOfCron('0 0 * * * *')).toBe('Hourly');
    expect(presetOfCron(' 0  0 0 * * * ')).toBe('Daily');
    expect(presetOfCron('0 0 0 * * 0')).toBe('Weekly');
    expect(presetOfCron('0 15 3 * * *')).toBe('Custom');
    expect(presetOfCron(null)).toBe('Custom');
  });

  it('computes the next run in UTC and gives null for an invalid cron', () => {
    const from = new Date(Date.UTC(2026, 0, 1, 10, 30, 0));
    expect(nextRun('0 0 * * * *', from)?.toISOString()).toBe('2026-01-01T11:00:00.000Z');
    expect(nextRun('0 0 0 * * *', from)?.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(nextRun('5 0 * * * *', from)).toBeNull();
    expect(nextRun('not a cron', from)).toBeNull();
  });

  it('previews the patched tag for each scheme and refuses a bad suffix', () => {
    expect(tagPreview('1.0', 'floating', 'patched')).toBe('1.0-patched');
    expect(tagPreview('1.0', 'incremental', 'patched')).toBe('1.0-patched-1');
    expect(tagPreview('1.0', 'floating', 'fixed')).toBe('1.0-fixed');
    expect(tagPreview('1.0', 'floating', '')).toBeNull();
    expect(tagPreview('1.0', 'floating', '-bad')).toBeNull();
  });

  it("validates names with Harbor's rule", () => {
    const problem = (v: string) => policyNameValidator(new FormControl(v));
    expect(problem('nightly-web')).toBeNull();
    expect(problem('a.b_c-d')).toBeNull();
    expect(problem('Bad Name')?.['problem']).toContain('lower-case');
    expect(problem('-lead')).not.toBeNull();
    expect(problem('x')).not.toBeNull();
    expect(problem('')).not.toBeNull();
  });

  it('validates crons: 6 fields, seconds must be 0', () => {
    const problem = (v: string) => cronValidator(new FormControl(v))?.['problem'];
    expect(problem('0 0 3 * * *')).toBeUndefined();
    expect(problem('5 0 3 * * *')).toContain('seconds');
    expect(problem('0 3 * * *')).toContain('6 fields');
  });

  it('validates suffixes and filter patterns with their syntax', () => {
    expect(tagSuffixValidator(new FormControl('patched'))).toBeNull();
    expect(tagSuffixValidator(new FormControl('a b'))).not.toBeNull();
    expect(patternProblem('library/**', 'glob')).toBeUndefined();
    expect(patternProblem('1\\.[0-9]+', 'regex')).toBeUndefined();
    expect(patternProblem('(unclosed', 'regex')).toContain('RE2');
    expect(patternProblem('', 'regex')).toBeUndefined();
  });

  it('splits server field paths', () => {
    expect(fieldPath('filters[1].value')).toEqual(['filters', '1', 'value']);
    expect(fieldPath('trigger.cron')).toEqual(['trigger', 'cron']);
    expect(fieldPath('name')).toEqual(['name']);
  });
});
