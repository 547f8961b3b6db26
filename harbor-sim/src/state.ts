// In-memory state of the stand-in: everything Harbor keeps in its database. What exists in the registry is
// read from the registry; here live users, projects, robots, labels, rules, policies and per-artifact extras.
import type { RoleId } from './rbac';

export interface User {
  user_id: number;
  username: string;
  password: string;
  email: string;
  realname: string;
  comment: string;
  sysadmin: boolean;
  creation_time: string;
  update_time: string;
}

export interface Project {
  project_id: number;
  name: string;
  public: boolean;
  auto_scan: boolean;
  owner_id: number;
  creation_time: string;
  update_time: string;
  /** Set for scale-mode projects whose repositories live only in memory. */
  synthetic: boolean;
  /**
   * False: no scanner is available for the project (a Harbor installed without Trivy). Scans answer 412,
   * reports 404, and artifacts show no scan overview, as Harbor does.
   */
  scanner: boolean;
  /**
   * Project metadata `enable_content_trust_cosign`: pulls of manifests without a cosign signature
   * accessory are refused (412 PROJECTPOLICYVIOLATION), as Harbor's contenttrust middleware does.
   */
  content_trust_cosign: boolean;
}

export interface Member {
  id: number;
  project_id: number;
  user_id: number;
  role_id: RoleId;
}

export interface RobotAccess {
  resource: string;
  action: string;
  effect?: string;
}

export interface RobotPermission {
  kind: string;
  namespace: string;
  access: RobotAccess[];
}

export interface Robot {
  id: number;
  /** Login name including the prefix: robot$<name> or robot$<project>+<name>. */
  name: string;
  secret: string;
  description: string;
  level: 'system' | 'project';
  duration: number;
  disable: boolean;
  permissions: RobotPermission[];
  creation_time: string;
  update_time: string;
  expires_at: number;
}

export interface Label {
  id: number;
  name: string;
  description: string;
  color: string;
  scope: 'g' | 'p';
  project_id: number;
  creation_time: string;
  update_time: string;
}

export interface ImmutableSelector {
  kind: string;
  decoration: string;
  pattern: string;
  extras?: string;
}

export interface ImmutableRule {
  id: number;
  project_id: number;
  priority: number;
  disabled: boolean;
  action: string;
  template: string;
  params: Record<string, unknown>;
  tag_selectors: ImmutableSelector[];
  scope_selectors: Record<string, ImmutableSelector[]>;
}

export interface WebhookTarget {
  type: string;
  address: string;
  auth_header?: string;
  skip_cert_verify?: boolean;
  payload_format?: string;
}

export interface WebhookPolicy {
  id: number;
  project_id: number;
  name: string;
  description: string;
  targets: WebhookTarget[];
  event_types: string[];
  creator: string;
  enabled: boolean;
  creation_time: string;
  update_time: string;
}

export type ScanStatus = 'Pending' | 'Running' | 'Success' | 'Error' | 'Stopped';

export interface Vulnerability {
  id: string;
  package: string;
  version: string;
  fix_version: string;
  severity: string;
  status: string;
  description: string;
  links: string[];
  artifact_digests: string[];
  preferred_cvss: { score_v3: number | null; score_v2: number | null; vector_v3: string; vector_v2: string };
  cwe_ids: string[];
  vendor_attributes: Record<string, unknown>;
}

export interface VulnerabilityReport {
  generated_at: string;
  scanner: { name: string; vendor: string; version: string };
  severity: string;
  vulnerabilities: Vulnerability[];
}

export interface ScanRecord {
  report_id: string;
  status: ScanStatus;
  start_time: string;
  end_time?: string;
  report?: VulnerabilityReport;
  /** For synthetic artifacts: a precomputed summary without a full report. */
  summary?: { total: number; fixable: number; summary: Record<string, number> };
  severity?: string;
  log: string[];
  /** An image index's scan: the digests of the children scanned with it (their records hold the reports). */
  children?: string[];
}

export interface WebhookDelivery {
  policy_id: number;
  event_type: string;
  address: string;
  attempt: number;
  status: number | null;
  ok: boolean;
  error?: string;
  /** The Authorization header that was sent (tests check it; never logged). */
  authorization?: string;
  payload: unknown;
  time: string;
}

export const now = (): string => new Date().toISOString();

export class SimState {
  users: User[] = [];
  projects: Project[] = [];
  members: Member[] = [];
  robots: Robot[] = [];
  labels: Label[] = [];
  immutableRules: ImmutableRule[] = [];
  webhookPolicies: WebhookPolicy[] = [];
  webhookDeliveries: WebhookDelivery[] = [];
  /** Scan records by artifact digest (Harbor shares reports between repositories with the same digest). */
  scans = new Map<string, ScanRecord>();
  /** Label ids attached to an artifact, by `<repository>@<digest>`. */
  artifactLabels = new Map<string, number[]>();
  /** First time the stand-in saw an artifact (push time), by `<repository>@<digest>`. */
  pushTimes = new Map<string, string>();
  /** Tags deleted through the API: Harbor removes them from its database; the registry keeps the link. */
  deletedTags = new Map<string, string>(); // `<repository>:<tag>` -> digest it pointed at
  /** Project names created without a scanner; '*' stands for every project (Harbor without any scanner). */
  projectsWithoutScanner = new Set<string>();
  /** Digests known per repository, so untagged artifacts can still be listed. */
  knownDigests = new Map<string, Set<string>>();
  /** Stable numeric ids for registry objects. */
  private ids = new Map<string, number>();
  private counters = new Map<string, number>();

  nextId(kind: string): number {
    const value = (this.counters.get(kind) ?? 0) + 1;
    this.counters.set(kind, value);
    return value;
  }

  /** A stable id for a registry object (repository name, artifact key, tag key). */
  idFor(kind: string, key: string): number {
    const mapKey = `${kind}\u0000${key}`;
    let id = this.ids.get(mapKey);
    if (id === undefined) {
      id = this.nextId(kind);
      this.ids.set(mapKey, id);
    }
    return id;
  }

  findUser(username: string): User | undefined {
    return this.users.find((u) => u.username === username);
  }

  findProject(nameOrId: string | number, isName?: boolean): Project | undefined {
    const text = String(nameOrId);
    if (!isName && /^\d+$/.test(text)) return this.projects.find((p) => p.project_id === Number(text));
    return this.projects.find((p) => p.name === text);
  }

  roleOf(projectId: number, userId: number): RoleId | undefined {
    return this.members.find((m) => m.project_id === projectId && m.user_id === userId)?.role_id;
  }

  rememberDigest(repository: string, digest: string, pushTime = now()): void {
    let set = this.knownDigests.get(repository);
    if (!set) this.knownDigests.set(repository, (set = new Set()));
    set.add(digest);
    const key = `${repository}@${digest}`;
    if (!this.pushTimes.has(key)) this.pushTimes.set(key, pushTime);
  }
}
