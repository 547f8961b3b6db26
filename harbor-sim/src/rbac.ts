// Harbor's project role matrix (src/common/rbac/project/rbac_role.go) and the public-project rules
// (rbac_util.go). Resources are relative to a project namespace; '' is the project itself.

export type RoleId = 1 | 2 | 3 | 4 | 5;
export const ROLE_NAMES: Record<RoleId, string> = {
  1: 'projectAdmin',
  2: 'developer',
  3: 'guest',
  4: 'maintainer',
  5: 'limitedGuest',
};

export interface Policy {
  resource: string;
  action: string;
}

const p = (resource: string, ...actions: string[]): Policy[] => actions.map((action) => ({ resource, action }));
const CRUDL = ['create', 'read', 'update', 'delete', 'list'];

const projectAdmin: Policy[] = [
  ...p('', 'read', 'update', 'delete'),
  ...p('member', ...CRUDL),
  ...p('metadata', 'create', 'read', 'update', 'delete'),
  ...p('log', 'list'),
  ...p('label', ...CRUDL),
  ...p('quota', 'read'),
  ...p('repository', 'create', 'read', 'update', 'delete', 'list', 'pull', 'push'),
  ...p('tag-retention', ...CRUDL, 'operate'),
  ...p('immutable-tag', 'create', 'update', 'delete', 'list'),
  ...p('configuration', 'read', 'update'),
  ...p('robot', ...CRUDL),
  ...p('notification-policy', ...CRUDL),
  ...p('scan', 'create', 'read', 'stop'),
  ...p('sbom', 'create', 'read', 'stop'),
  ...p('scanner', 'read', 'create'),
  ...p('artifact', 'create', 'read', 'delete', 'list'),
  ...p('artifact-addition', 'read'),
  ...p('tag', 'list', 'create', 'delete'),
  ...p('accessory', 'list'),
  ...p('artifact-label', 'create', 'delete'),
  ...p('preheat-policy', ...CRUDL),
  ...p('export-cve', 'create', 'read'),
];

const maintainer: Policy[] = [
  ...p('', 'read'),
  ...p('member', 'read', 'list'),
  ...p('metadata', 'create', 'read', 'update', 'delete'),
  ...p('log', 'list'),
  ...p('quota', 'read'),
  ...p('label', ...CRUDL),
  ...p('repository', 'create', 'read', 'update', 'delete', 'list', 'push', 'pull'),
  ...p('tag-retention', ...CRUDL, 'operate'),
  ...p('accessory', 'list'),
  ...p('immutable-tag', 'create', 'update', 'delete', 'list'),
  ...p('configuration', 'read'),
  ...p('robot', 'read', 'list'),
  ...p('notification-policy', 'list'),
  ...p('scan', 'create', 'read', 'stop'),
  ...p('sbom', 'create', 'read', 'stop'),
  ...p('scanner', 'read'),
  ...p('artifact', 'create', 'read', 'delete', 'list'),
  ...p('artifact-addition', 'read'),
  ...p('tag', 'list', 'create', 'delete'),
  ...p('artifact-label', 'create', 'delete'),
  ...p('export-cve', 'create', 'read'),
];

const developer: Policy[] = [
  ...p('', 'read'),
  ...p('member', 'read', 'list'),
  ...p('log', 'list'),
  ...p('label', 'read', 'list'),
  ...p('quota', 'read'),
  ...p('repository', 'create', 'read', 'update', 'list', 'push', 'pull'),
  ...p('tag-retention', 'read', 'list'),
  ...p('configuration', 'read'),
  ...p('robot', 'read', 'list'),
  ...p('scan', 'read'),
  ...p('sbom', 'read'),
  ...p('scanner', 'read'),
  ...p('artifact', 'create', 'read', 'list'),
  ...p('artifact-addition', 'read'),
  ...p('tag', 'list', 'create'),
  ...p('accessory', 'list'),
  ...p('artifact-label', 'create', 'delete'),
  ...p('export-cve', 'create', 'read'),
];

const guest: Policy[] = [
  ...p('', 'read'),
  ...p('member', 'read', 'list'),
  ...p('log', 'list'),
  ...p('label', 'read', 'list'),
  ...p('quota', 'read'),
  ...p('repository', 'read', 'list', 'pull'),
  ...p('configuration', 'read'),
  ...p('robot', 'read', 'list'),
  ...p('scan', 'read'),
  ...p('sbom', 'read'),
  ...p('scanner', 'read'),
  ...p('tag', 'list'),
  ...p('accessory', 'list'),
  ...p('artifact', 'read', 'list'),
  ...p('artifact-addition', 'read'),
];

const limitedGuest: Policy[] = [
  ...p('', 'read'),
  ...p('quota', 'read'),
  ...p('repository', 'list', 'pull'),
  ...p('configuration', 'read'),
  ...p('scan', 'read'),
  ...p('sbom', 'read'),
  ...p('scanner', 'read'),
  ...p('tag', 'list'),
  ...p('accessory', 'list'),
  ...p('artifact', 'read', 'list'),
  ...p('artifact-addition', 'read'),
];

export const ROLE_POLICIES: Record<RoleId, Policy[]> = {
  1: projectAdmin,
  2: developer,
  3: guest,
  4: maintainer,
  5: limitedGuest,
};

// What everybody (even anonymous callers) may do in a public project (rbac_util.go).
export const PUBLIC_PROJECT_POLICIES: Policy[] = [
  ...p('', 'read'),
  ...p('label', 'read', 'list'),
  ...p('repository', 'list', 'pull'),
  ...p('scan', 'read'),
  ...p('sbom', 'read'),
  ...p('scanner', 'read'),
  ...p('tag', 'list'),
  ...p('accessory', 'list'),
  ...p('artifact', 'read', 'list'),
  ...p('artifact-addition', 'read'),
];

/** The candidate set checked by GET /users/current/permissions: the union of all role policies. */
export const ALL_PROJECT_POLICIES: Policy[] = (() => {
  const seen = new Set<string>();
  const out: Policy[] = [];
  for (const list of Object.values(ROLE_POLICIES))
    for (const policy of list) {
      const key = `${policy.resource}:${policy.action}`;
      if (!seen.has(key)) {
        seen.add(key);
        out.push(policy);
      }
    }
  return out;
})();

export const roleAllows = (role: RoleId, resource: string, action: string): boolean =>
  ROLE_POLICIES[role].some((policy) => policy.resource === resource && policy.action === action);

export const publicAllows = (resource: string, action: string): boolean =>
  PUBLIC_PROJECT_POLICIES.some((policy) => policy.resource === resource && policy.action === action);

/** Robot access entries may use '*' as resource or action. */
export const accessMatches = (
  access: { resource: string; action: string; effect?: string },
  resource: string,
  action: string,
): boolean =>
  access.effect !== 'deny' &&
  (access.resource === '*' || access.resource === resource) &&
  (access.action === '*' || access.action === action);
