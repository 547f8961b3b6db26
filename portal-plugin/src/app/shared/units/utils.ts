// Small helpers shared by the pages, kept close to Harbor's portal (src/portal/src/app/shared/units/utils.ts).

/** Where Harbor's portal keeps the CSRF token it last received (intercept-http.service.ts). */
export const CSRF_STORAGE_KEY = '__csrf';
export const CSRF_HEADER = 'X-Harbor-CSRF-Token';
/** Methods Harbor never CSRF-checks; every other method carries the token. */
export const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS', 'TRACE'];

export const HARBOR_API = '/api/v2.0';
export const PATCHING_API = '/patching/api/v1';

/** The scan report types Harbor's portal asks for (utils.ts DEFAULT_SUPPORTED_MIME_TYPES). */
export const VULNERABILITY_ACCEPT =
  'application/vnd.security.vulnerability.report; version=1.1, ' +
  'application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0';

export const SEVERITIES = ['Critical', 'High', 'Medium', 'Low', 'Unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** `library/nginx` -> `nginx` (Harbor's repository API wants the name without the project). */
export function repositoryNameWithoutProject(fullName: string, project: string): string {
  return fullName.startsWith(project + '/') ? fullName.slice(project.length + 1) : fullName;
}

/** Harbor wants `a/b` in a path segment as `a%252Fb` (URL-encoded twice). */
export function repositoryPathSegment(name: string): string {
  return encodeURIComponent(encodeURIComponent(name));
}

export function durationText(start?: string | null, end?: string | null, now: Date = new Date()): string {
  if (!start) return '-';
  const from = new Date(start).getTime();
  const to = end ? new Date(end).getTime() : now.getTime();
  if (!Number.isFinite(from) || !Number.isFinite(to) || to < from) return '-';
  let seconds = Math.round((to - from) / 1000);
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  if (hours) return `${hours}h ${minutes}m ${seconds}s`;
  if (minutes) return `${minutes}m ${seconds}s`;
  return `${seconds}s`;
}

export function sizeText(bytes?: number | null): string {
  if (bytes === undefined || bytes === null) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(2)}${units[unit]}`;
}

export function shortDigest(digest?: string | null): string {
  if (!digest) return '';
  const [algo, hex] = digest.includes(':') ? digest.split(':') : ['', digest];
  return `${algo ? algo + ':' : ''}${hex.slice(0, 8)}`;
}
