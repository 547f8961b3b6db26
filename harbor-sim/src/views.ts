// JSON shapes of Harbor's API models (swagger definitions Project, Artifact, Tag, Label, Robot, ...).
import type { Auth, Principal } from './auth';
import type { ArtifactRecord } from './catalog';
import { isImmutable } from './immutable';
import { acceptedMimes, scanRecordOf, summaryOf } from './scans';
import type { Label, Project, Robot, SimState, User } from './state';

export function userView(user: User) {
  return {
    user_id: user.user_id,
    username: user.username,
    email: user.email,
    realname: user.realname,
    comment: user.comment,
    sysadmin_flag: user.sysadmin,
    admin_role_in_auth: false,
    creation_time: user.creation_time,
    update_time: user.update_time,
  };
}

export function projectView(state: SimState, project: Project, principal: Principal, repoCount: number) {
  const owner = state.users.find((u) => u.user_id === project.owner_id);
  const metadata: Record<string, string> = { public: String(project.public) };
  if (project.auto_scan) metadata.auto_scan = 'true';
  if (project.content_trust_cosign) metadata.enable_content_trust_cosign = 'true';
  const view: Record<string, unknown> = {
    project_id: project.project_id,
    owner_id: project.owner_id,
    name: project.name,
    creation_time: project.creation_time,
    update_time: project.update_time,
    deleted: false,
    owner_name: owner?.username ?? '',
    togglable: true,
    repo_count: repoCount,
    metadata,
    cve_allowlist: {
      id: project.project_id,
      project_id: project.project_id,
      items: [],
      creation_time: project.creation_time,
      update_time: project.update_time,
    },
  };
  // Role ids are filled in only for local users (project.go:878-888).
  if (principal.kind === 'user') {
    const role = state.roleOf(project.project_id, principal.user.user_id);
    view.current_user_role_id = role ?? 0;
    view.current_user_role_ids = role ? [role] : [];
  }
  return view;
}

export function labelView(label: Label) {
  return {
    id: label.id,
    name: label.name,
    description: label.description,
    color: label.color,
    scope: label.scope,
    project_id: label.project_id,
    creation_time: label.creation_time,
    update_time: label.update_time,
  };
}

export function robotView(robot: Robot) {
  return {
    id: robot.id,
    name: robot.name,
    description: robot.description,
    level: robot.level,
    duration: robot.duration,
    editable: true,
    disable: robot.disable,
    expires_at: robot.expires_at,
    permissions: robot.permissions,
    creator_type: 'local',
    creator_ref: 1,
    creation_time: robot.creation_time,
    update_time: robot.update_time,
  };
}

/** Harbor's path encoding of a repository name inside the project: URL-encoded twice. */
export const doubleEncode = (name: string) => encodeURIComponent(encodeURIComponent(name));

export interface ArtifactViewOptions {
  withTag: boolean;
  withLabel: boolean;
  withScanOverview: boolean;
  withImmutableStatus: boolean;
  /** Harbor returns accessories unless with_accessory=false (handler/artifact.go option()). */
  withAccessory: boolean;
  accept: string | undefined;
}

export function artifactView(state: SimState, project: Project, a: ArtifactRecord, o: ArtifactViewOptions) {
  const inProject = a.repository_name.slice(project.name.length + 1);
  const base = `/api/v2.0/projects/${project.name}/repositories/${doubleEncode(inProject)}/artifacts/${a.digest}/additions`;
  const view: Record<string, unknown> = {
    id: a.id,
    type: a.type,
    media_type: a.media_type,
    manifest_media_type: a.manifest_media_type,
    artifact_type: a.artifact_type,
    project_id: a.project_id,
    repository_id: a.repository_id,
    repository_name: a.repository_name,
    digest: a.digest,
    size: a.size,
    icon: a.type === 'IMAGE' ? 'sha256:0048162a053eef4d4ce3fe7518615bef084403614f8bca43b40ae2e762e11e06' : '',
    push_time: a.push_time,
    pull_time: a.pull_time,
    extra_attrs: a.extra_attrs,
    annotations: a.annotations,
    references: a.references,
    // Harbor links the vulnerabilities addition only for artifacts a scanner of the project can scan.
    addition_links:
      a.type === 'IMAGE'
        ? {
            build_history: { href: `${base}/build_history`, absolute: false },
            ...(project.scanner ? { vulnerabilities: { href: `${base}/vulnerabilities`, absolute: false } } : {}),
          }
        : {},
  };
  if (o.withTag)
    view.tags = a.tags.map((t) =>
      o.withImmutableStatus
        ? { ...t, immutable: isImmutable(state, project.project_id, a.repository_name, t.name) }
        : { ...t, immutable: false },
    );
  // A nil list is left out of Harbor's JSON (go-swagger's omitempty) when the artifact has none.
  if (o.withAccessory && a.accessories.length) view.accessories = a.accessories;
  if (o.withLabel) {
    const ids = state.artifactLabels.get(`${a.repository_name}@${a.digest}`) ?? [];
    view.labels = ids
      .map((id) => state.labels.find((l) => l.id === id))
      .filter((l): l is Label => l !== undefined)
      .map(labelView);
  }
  if (o.withScanOverview) {
    const record = scanRecordOf(state, a.digest);
    if (record && a.scannable && project.scanner)
      view.scan_overview = { [acceptedMimes(o.accept)[0]]: summaryOf(record) };
  }
  return view;
}

export function principalName(principal: Principal): string {
  switch (principal.kind) {
    case 'user':
      return principal.user.username;
    case 'robot':
      return principal.robot.name;
    case 'token':
      return principal.subject;
    default:
      return 'anonymous';
  }
}

export type { Auth };
