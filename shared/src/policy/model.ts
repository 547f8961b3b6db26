/**
 * The patch policy model. The REST API's PatchPolicy schema in `../api/openapi.yaml` has the same fields;
 * its enums (filter types, trigger types, severity thresholds, patch modes, tag schemes) come from the
 * document (`../api/enums.ts`, generated); this file holds the defaults and rules both sides rely on.
 */
import type {
  FilterDecoration,
  FilterSyntax,
  FilterType,
  PatchMode,
  SeverityThreshold,
  TagScheme,
  TriggerType,
} from '../api/enums';

export {
  FILTER_DECORATIONS,
  FILTER_SYNTAXES,
  FILTER_TYPES,
  PATCH_MODES,
  SEVERITY_THRESHOLDS,
  TAG_SCHEMES,
  TRIGGER_TYPES,
} from '../api/enums';
export type { FilterDecoration, FilterSyntax, FilterType, PatchMode, SeverityThreshold, TagScheme, TriggerType };

/**
 * One filter. `repository` matches the full repository name as Harbor shows it (`library/app`),
 * `tag` a tag name, both with `syntax` glob (default, Harbor's doublestar) or regex (RE2, whole name).
 * `label` takes a list of Harbor label names: `matches` = the artifact carries all of them,
 * `excludes` = it does not carry all of them (Harbor's replication label filter); it has no `syntax`.
 */
export interface PolicyFilter {
  type: FilterType;
  value: string | string[];
  decoration?: FilterDecoration;
  syntax?: FilterSyntax;
}

export interface PolicyTrigger {
  type: TriggerType;
  /** 6 fields, seconds first and `0`, evaluated in UTC. Only for `scheduled`. */
  cron?: string;
}

export interface PolicyOptions {
  /** Ask Harbor to scan the patched image and record the result (default true). */
  rescan: boolean;
  /** Copy the source artifact's labels onto the patched one (default true). */
  copy_labels: boolean;
  /** Delete the source tag once the patched image is verified and re-scanned (default false; needs rescan). */
  delete_original: boolean;
  /** Sign the patched image with the service's cosign key; unset: the service's default. */
  sign?: boolean;
  /** Trust before patching: patch only images whose cosign signature verifies (default false). */
  require_signed_source?: boolean;
}

/** What a client sends to create or replace a policy. */
export interface PolicyInput {
  name: string;
  description?: string;
  enabled?: boolean;
  filters?: PolicyFilter[];
  trigger?: PolicyTrigger;
  severity_threshold?: SeverityThreshold;
  mode?: PatchMode;
  tag_scheme?: TagScheme;
  tag_suffix?: string;
  options?: Partial<PolicyOptions>;
}

/** A validated input with every default filled in. */
export interface PolicySpec {
  name: string;
  description: string;
  enabled: boolean;
  filters: NormalizedFilter[];
  trigger: PolicyTrigger;
  severity_threshold: SeverityThreshold;
  mode: PatchMode;
  tag_scheme: TagScheme;
  tag_suffix: string;
  options: PolicyOptions;
}

export type NormalizedFilter =
  | { type: 'repository' | 'tag'; value: string; decoration: FilterDecoration; syntax: FilterSyntax }
  | { type: 'label'; value: string[]; decoration: FilterDecoration };

/** A stored policy, as the API returns it. */
export interface PatchPolicy extends PolicySpec {
  id: number;
  project_name: string;
  project_id: number;
  creator: string;
  updated_by: string;
  creation_time: string;
  update_time: string;
}

export const DEFAULT_TAG_SUFFIX = 'patched';

export const POLICY_DEFAULTS = {
  description: '',
  enabled: true,
  trigger: { type: 'manual' } as PolicyTrigger,
  severity_threshold: 'None' as SeverityThreshold,
  mode: 'targeted' as PatchMode,
  tag_scheme: 'floating' as TagScheme,
  tag_suffix: DEFAULT_TAG_SUFFIX,
  options: { rescan: true, copy_labels: true, delete_original: false } as PolicyOptions,
};

/** Cron presets, as Harbor's schedule UI offers them. */
export const CRON_PRESETS = {
  hourly: '0 0 * * * *',
  daily: '0 0 0 * * *',
  weekly: '0 0 0 * * 0',
} as const;

/** Harbor's rule for names of policies, robots, webhooks (and ours). */
export const POLICY_NAME_PATTERN = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
export const POLICY_NAME_MIN = 2;
export const POLICY_NAME_MAX = 255;
export const DESCRIPTION_MAX = 1024;
