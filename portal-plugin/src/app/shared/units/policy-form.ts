// Form-side helpers for patch policies, on top of the shared policy model and validation
// (the same rules the adapter applies at its API edge).
import { AbstractControl, ValidationErrors, ValidatorFn } from '@angular/forms';
import {
  CRON_PRESETS,
  DEFAULT_TAG_SUFFIX,
  FilterPatternError,
  compilePattern,
  cronProblem,
  isValidTag,
  nextRunTimes,
  patchedTagName,
  policyNameProblem,
  tagSuffixProblem,
  type FieldError,
  type TagScheme,
} from '@harbor-patching/shared/policy';

export { CRON_PRESETS, DEFAULT_TAG_SUFFIX };

/** The schedule choices of Harbor's `cron-selection` component. */
export type CronPreset = 'Hourly' | 'Daily' | 'Weekly' | 'Custom';
export const CRON_PRESET_NAMES: CronPreset[] = ['Hourly', 'Daily', 'Weekly', 'Custom'];

export function cronOfPreset(preset: CronPreset, custom = ''): string {
  switch (preset) {
    case 'Hourly':
      return CRON_PRESETS.hourly;
    case 'Daily':
      return CRON_PRESETS.daily;
    case 'Weekly':
      return CRON_PRESETS.weekly;
    default:
      return custom;
  }
}

/** Which preset a stored cron corresponds to (extra spaces do not matter); anything else is Custom. */
export function presetOfCron(cron: string | null | undefined): CronPreset {
  const normalized = (cron ?? '').trim().split(/\s+/).join(' ');
  if (normalized === CRON_PRESETS.hourly) return 'Hourly';
  if (normalized === CRON_PRESETS.daily) return 'Daily';
  if (normalized === CRON_PRESETS.weekly) return 'Weekly';
  return 'Custom';
}

/** The next run of a cron in UTC, or null when the expression is not valid. */
export function nextRun(cron: string | null | undefined, from: Date = new Date()): Date | null {
  if (!cron || cronProblem(cron)) return null;
  return nextRunTimes(cron, from, 1)[0] ?? null;
}

/**
 * The live preview of the patched tag for an example source tag: `1.0-patched` (floating) or
 * `1.0-patched-1` (incremental, first generation). Null with an invalid suffix.
 */
export function tagPreview(sourceTag: string, scheme: TagScheme, suffix: string): string | null {
  if (!isValidTag(sourceTag) || tagSuffixProblem(suffix)) return null;
  return patchedTagName(sourceTag, scheme, suffix, scheme === 'incremental' ? 1 : undefined);
}

/** Angular validators that report the shared validation's message under the `problem` key. */
export const policyNameValidator: ValidatorFn = (c: AbstractControl): ValidationErrors | null => {
  const problem = policyNameProblem(c.value ?? '');
  return problem ? { problem } : null;
};

export const tagSuffixValidator: ValidatorFn = (c: AbstractControl): ValidationErrors | null => {
  const problem = tagSuffixProblem(c.value ?? '');
  return problem ? { problem } : null;
};

export const cronValidator: ValidatorFn = (c: AbstractControl): ValidationErrors | null => {
  const problem = cronProblem(c.value ?? '');
  return problem ? { problem } : null;
};

/** A filter pattern is optional (empty = no filter); when given it must compile with its syntax. */
export function patternProblem(value: string, syntax: 'glob' | 'regex'): string | undefined {
  if (!value) return undefined;
  try {
    compilePattern(value, syntax);
    return undefined;
  } catch (err) {
    return err instanceof FilterPatternError ? err.message : String(err);
  }
}

/** `filters[1].value` -> `['filters', '1', 'value']`: the path of a server error in the form. */
export function fieldPath(field: string): string[] {
  return field
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((part) => part !== '');
}

export type { FieldError, TagScheme };
