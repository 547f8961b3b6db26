/**
 * The patch policy model. The REST API's PatchPolicy schema in `../api/openapi.yaml`
 * has the same fields; this file holds the constants and defaults both sides rely on.
 */

export const FILTER_TYPES = ['repository', 'tag', 'label'] as const;
export const FILTER_DECORATIONS = ['matches', 'excludes'] as const;
export const FILTER_SYNTAXES = ['glob', 'regex'] as const;
export const TRIGGER_TYPES = ['manual', 'scheduled', 'event_based'] as const;
/** Highest first. `None` as a threshold means: any fixable vulnerability, whatever its severity. */
export const SEVERITY_THRESHOLDS = ['Critical', 'High', 'Medium', 'Low', 'None'] as const;
export const PATCH_MODES = ['targeted', 'comprehensive'] as const;
export const TAG_SCHEMES = ['floating', 'incremental'] as const;

export type FilterType = (typeof FILTER_TYPES)[number];
export type FilterDecoration = (typeof FILTER_DECORATIONS)[number];
export type FilterSyntax = (typeof FILTER_SYNTAXES)[number];
export type TriggerType = (typeof TRIGGER_TYPES)[number];
export type SeverityThreshold = (typeof SEVERITY_THRESHOLDS)[number];
export type PatchMode = (typeof PATCH_MODES)[number];
export type TagScheme = (typeof TAG_SCHEMES)[number];

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
