/**
 * Semantic validation of a policy input, shared by the adapter (at the API edge, after the OpenAPI
 * schema check) and the portal (in the policy form). Every problem names its field as a JSON path
 * like `filters[1].value` or `trigger.cron`. Label names are checked against Harbor by the adapter.
 */
import { cronProblem } from './cron';
import { compilePattern, FilterPatternError } from './filters';
import {
  DESCRIPTION_MAX,
  FILTER_DECORATIONS,
  FILTER_SYNTAXES,
  FILTER_TYPES,
  PATCH_MODES,
  POLICY_DEFAULTS,
  POLICY_NAME_MAX,
  POLICY_NAME_MIN,
  POLICY_NAME_PATTERN,
  SEVERITY_THRESHOLDS,
  TAG_SCHEMES,
  TRIGGER_TYPES,
  type NormalizedFilter,
  type PolicySpec,
} from './model';
import { tagSuffixProblem } from './tags';

export interface FieldError {
  field: string;
  message: string;
}

export interface PolicyValidation {
  errors: FieldError[];
  /** The input with defaults filled in; present only when there are no errors. */
  policy?: PolicySpec;
}

export const FILTER_VALUE_MAX = 1024;
export const LABEL_NAME_MAX = 128;
export const LABELS_PER_FILTER_MAX = 20;

const TOP_LEVEL_FIELDS = [
  'name',
  'description',
  'enabled',
  'filters',
  'trigger',
  'severity_threshold',
  'mode',
  'tag_scheme',
  'tag_suffix',
  'options',
] as const;
const FILTER_FIELDS = ['type', 'value', 'decoration', 'syntax'];
const TRIGGER_FIELDS = ['type', 'cron'];
const OPTION_FIELDS = ['rescan', 'copy_labels', 'delete_original', 'sign', 'require_signed_source'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function oneOf(list: readonly string[]): string {
  return list.map((x) => `"${x}"`).join(', ');
}

/** Problems with a policy name alone (used by the form as the user types). */
export function policyNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'a name is required';
  if (name.length < POLICY_NAME_MIN || name.length > POLICY_NAME_MAX) {
    return `the name must have ${POLICY_NAME_MIN} to ${POLICY_NAME_MAX} characters`;
  }
  if (!POLICY_NAME_PATTERN.test(name)) {
    return 'the name may hold lower-case letters, digits and single ".", "_" or "-" between them (e.g. "nightly-web")';
  }
  return undefined;
}

export function validatePolicy(input: unknown): PolicyValidation {
  const errors: FieldError[] = [];
  const add = (field: string, message: string) => errors.push({ field, message });
  if (!isObject(input)) return { errors: [{ field: '', message: 'the body must be a JSON object' }] };

  for (const key of Object.keys(input)) {
    if (!(TOP_LEVEL_FIELDS as readonly string[]).includes(key)) add(key, `unknown field "${key}"`);
  }

  const nameProblem = policyNameProblem(input.name);
  if (nameProblem) add('name', nameProblem);

  if (input.description !== undefined) {
    if (typeof input.description !== 'string') add('description', 'the description must be a string');
    else if (input.description.length > DESCRIPTION_MAX) {
      add('description', `the description may have at most ${DESCRIPTION_MAX} characters`);
    }
  }
  if (input.enabled !== undefined && typeof input.enabled !== 'boolean')
    add('enabled', 'enabled must be true or false');

  const filters: NormalizedFilter[] = [];
  if (input.filters !== undefined) {
    if (!Array.isArray(input.filters)) add('filters', 'filters must be a list');
    else {
      const seen = new Set<string>();
      input.filters.forEach((raw, i) => {
        const at = `filters[${i}]`;
        if (!isObject(raw)) return add(at, 'each filter must be an object with type and value');
        for (const key of Object.keys(raw)) {
          if (!FILTER_FIELDS.includes(key)) add(`${at}.${key}`, `unknown field "${key}"`);
        }
        const type = raw.type;
        if (typeof type !== 'string' || !(FILTER_TYPES as readonly string[]).includes(type)) {
          return add(`${at}.type`, `the filter type must be one of ${oneOf(FILTER_TYPES)}`);
        }
        if (seen.has(type))
          return add(`${at}.type`, `only one ${type} filter is allowed; combine the patterns into one`);
        seen.add(type);
        const decoration = raw.decoration ?? 'matches';
        if (typeof decoration !== 'string' || !(FILTER_DECORATIONS as readonly string[]).includes(decoration)) {
          add(`${at}.decoration`, `decoration must be one of ${oneOf(FILTER_DECORATIONS)}`);
        }
        if (type === 'label') {
          if (raw.syntax !== undefined)
            add(`${at}.syntax`, 'a label filter takes label names, not a pattern: remove syntax');
          const value = raw.value;
          if (!Array.isArray(value) || value.length === 0) {
            return add(`${at}.value`, 'a label filter needs a non-empty list of label names');
          }
          if (value.length > LABELS_PER_FILTER_MAX) {
            return add(`${at}.value`, `a label filter may name at most ${LABELS_PER_FILTER_MAX} labels`);
          }
          const names = new Set<string>();
          value.forEach((n, j) => {
            if (typeof n !== 'string' || n.trim() === '') add(`${at}.value[${j}]`, 'a label name must not be empty');
            else if (n.length > LABEL_NAME_MAX)
              add(`${at}.value[${j}]`, `a label name has at most ${LABEL_NAME_MAX} characters`);
            else if (names.has(n)) add(`${at}.value[${j}]`, `label "${n}" is listed twice`);
            else names.add(n);
          });
          filters.push({ type, value: [...names], decoration: decoration as NormalizedFilter['decoration'] });
          return;
        }
        const syntax = raw.syntax ?? 'glob';
        if (typeof syntax !== 'string' || !(FILTER_SYNTAXES as readonly string[]).includes(syntax)) {
          return add(`${at}.syntax`, `syntax must be one of ${oneOf(FILTER_SYNTAXES)}`);
        }
        const value = raw.value;
        if (typeof value !== 'string' || value.trim() === '') {
          return add(
            `${at}.value`,
            `a ${type} filter needs a pattern (e.g. ${type === 'tag' ? '"1.*"' : '"library/**"'})`,
          );
        }
        if (value.length > FILTER_VALUE_MAX) {
          return add(`${at}.value`, `a pattern may have at most ${FILTER_VALUE_MAX} characters`);
        }
        try {
          compilePattern(value, syntax as 'glob' | 'regex');
        } catch (err) {
          return add(`${at}.value`, err instanceof FilterPatternError ? err.message : String(err));
        }
        filters.push({
          type: type as 'repository' | 'tag',
          value,
          decoration: decoration as NormalizedFilter['decoration'],
          syntax: syntax as 'glob' | 'regex',
        });
      });
    }
  }

  let trigger = POLICY_DEFAULTS.trigger;
  if (input.trigger !== undefined) {
    const t = input.trigger;
    if (!isObject(t)) add('trigger', 'trigger must be an object like {"type": "manual"}');
    else {
      for (const key of Object.keys(t)) {
        if (!TRIGGER_FIELDS.includes(key)) add(`trigger.${key}`, `unknown field "${key}"`);
      }
      if (typeof t.type !== 'string' || !(TRIGGER_TYPES as readonly string[]).includes(t.type)) {
        add('trigger.type', `the trigger type must be one of ${oneOf(TRIGGER_TYPES)}`);
      } else if (t.type === 'scheduled') {
        const problem =
          typeof t.cron === 'string' ? cronProblem(t.cron) : 'a scheduled trigger needs a cron expression';
        if (problem) add('trigger.cron', problem);
        else trigger = { type: 'scheduled', cron: (t.cron as string).trim().split(/\s+/).join(' ') };
      } else {
        if (t.cron !== undefined && t.cron !== '')
          add('trigger.cron', `a cron is only allowed with the "scheduled" trigger`);
        trigger = { type: t.type as 'manual' | 'event_based' };
      }
    }
  }

  const enumField = <T extends string>(field: keyof typeof input, list: readonly T[], fallback: T): T => {
    const v = input[field];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !(list as readonly string[]).includes(v)) {
      add(field, `${field} must be one of ${oneOf(list)}`);
      return fallback;
    }
    return v as T;
  };
  const severity_threshold = enumField('severity_threshold', SEVERITY_THRESHOLDS, POLICY_DEFAULTS.severity_threshold);
  const mode = enumField('mode', PATCH_MODES, POLICY_DEFAULTS.mode);
  const tag_scheme = enumField('tag_scheme', TAG_SCHEMES, POLICY_DEFAULTS.tag_scheme);

  let tag_suffix = POLICY_DEFAULTS.tag_suffix;
  if (input.tag_suffix !== undefined) {
    const problem =
      typeof input.tag_suffix === 'string' ? tagSuffixProblem(input.tag_suffix) : 'the tag suffix must be a string';
    if (problem) add('tag_suffix', problem);
    else tag_suffix = input.tag_suffix as string;
  }

  const options = { ...POLICY_DEFAULTS.options };
  if (input.options !== undefined) {
    const o = input.options;
    if (!isObject(o)) add('options', 'options must be an object');
    else {
      for (const key of Object.keys(o)) {
        if (!OPTION_FIELDS.includes(key)) add(`options.${key}`, `unknown field "${key}"`);
        else if (typeof o[key] !== 'boolean') add(`options.${key}`, `options.${key} must be true or false`);
        else options[key as 'rescan'] = o[key] as boolean;
      }
      if (options.delete_original && !options.rescan) {
        add(
          'options.delete_original',
          'deleting the original needs rescan: the patched image is only trusted once re-scanned',
        );
      }
    }
  }

  if (errors.length > 0) return { errors };
  return {
    errors,
    policy: {
      name: input.name as string,
      description: (input.description as string | undefined) ?? POLICY_DEFAULTS.description,
      enabled: (input.enabled as boolean | undefined) ?? POLICY_DEFAULTS.enabled,
      filters,
      trigger,
      severity_threshold,
      mode,
      tag_scheme,
      tag_suffix,
      options,
    },
  };
}

/** Label names a policy's filters refer to (the adapter checks they exist in Harbor). */
export function labelNamesOf(policy: Pick<PolicySpec, 'filters'>): string[] {
  return policy.filters.flatMap((f) => (f.type === 'label' ? f.value : []));
}
