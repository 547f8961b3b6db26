// The parts of Harbor's v2.0 models the portal plugin reads (shared/harbor/swagger-v2.0.yaml).

export interface HarborUser {
  user_id: number;
  username: string;
  email?: string;
  realname?: string;
  sysadmin_flag?: boolean;
  admin_role_in_auth?: boolean;
}

export interface HarborProject {
  project_id: number;
  name: string;
  owner_name?: string;
  repo_count?: number;
  creation_time?: string;
  update_time?: string;
  metadata?: { public?: string; auto_scan?: string };
  current_user_role_id?: number;
  current_user_role_ids?: number[];
}

export interface HarborRepository {
  id: number;
  project_id: number;
  name: string;
  description?: string;
  artifact_count?: number;
  pull_count?: number;
  creation_time?: string;
  update_time?: string;
}

export interface HarborTag {
  id: number;
  name: string;
  push_time?: string;
  immutable?: boolean;
}

export interface HarborLabel {
  id: number;
  name: string;
  description?: string;
  color?: string;
  scope?: 'g' | 'p';
  project_id?: number;
}

export interface NativeReportSummary {
  report_id?: string;
  scan_status?: string;
  severity?: string;
  duration?: number;
  summary?: { total?: number; fixable?: number; summary?: Record<string, number> };
  start_time?: string;
  end_time?: string;
  complete_percent?: number;
  scanner?: { name?: string; vendor?: string; version?: string };
}

export interface HarborArtifact {
  id: number;
  type?: string;
  media_type?: string;
  manifest_media_type?: string;
  artifact_type?: string;
  project_id?: number;
  repository_id?: number;
  repository_name?: string;
  digest: string;
  size?: number;
  push_time?: string;
  pull_time?: string;
  tags?: HarborTag[] | null;
  labels?: HarborLabel[] | null;
  scan_overview?: Record<string, NativeReportSummary>;
  /** Signatures, SBOMs, VEX documents... attached to the artifact (Harbor returns them by default). */
  accessories?: HarborAccessory[] | null;
  /** An image index: its children, with their platforms. */
  references?: HarborReference[] | null;
  /** An image: `os`, `architecture`, the config. */
  extra_attrs?: Record<string, unknown> | null;
}

export interface HarborAccessory {
  id: number;
  digest: string;
  /** `signature.cosign`, `signature.notation`, `sbom.harbor`, `subject.accessory`... */
  type: string;
  subject_artifact_digest?: string;
}

export interface HarborReference {
  child_digest: string;
  platform?: { os: string; architecture: string; variant?: string } | null;
}

export interface HarborPermission {
  resource: string;
  action: string;
}

export interface Page<T> {
  items: T[];
  total: number;
}

/** Harbor's role ids (src/common/const.go). */
export const ROLE = { PROJECT_ADMIN: 1, DEVELOPER: 2, GUEST: 3, MAINTAINER: 4, LIMITED_GUEST: 5 } as const;
