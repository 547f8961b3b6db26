/**
 * Paged listing of a project's repositories and their artifacts, for policy evaluation.
 * Pages are yielded one at a time so a project is never held in memory as a whole.
 */
import { assertArtifactIn } from './artifacts';
import { HarborClient, repositoryPathSegment, splitRepositoryName } from './client';

/** Harbor's largest page size. */
export const HARBOR_MAX_PAGE_SIZE = 100;

/** The report types Harbor's portal asks for; Harbor answers with the first one it has. */
export const ACCEPT_VULNERABILITIES =
  'application/vnd.security.vulnerability.report; version=1.1, application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0';

export interface HarborRepository {
  id: number;
  project_id: number;
  /** Full name including the project, e.g. "library/team/app". */
  name: string;
  artifact_count?: number;
  update_time?: string;
}

export interface HarborTag {
  id?: number;
  name: string;
  push_time?: string;
  immutable?: boolean;
}

export interface HarborLabel {
  id: number;
  name: string;
  scope?: string;
  project_id?: number;
}

export interface VulnerabilitySummary {
  total?: number;
  fixable?: number;
  /** Count per severity name (Critical, High, Medium, Low, Unknown, ...). */
  summary?: Record<string, number>;
}

export interface NativeReportSummary {
  report_id?: string;
  scan_status?: string;
  severity?: string;
  summary?: VulnerabilitySummary;
  start_time?: string;
  end_time?: string;
  complete_percent?: number;
}

export interface HarborArtifact {
  id: number;
  type: string;
  media_type?: string;
  manifest_media_type?: string;
  artifact_type?: string;
  project_id?: number;
  repository_id?: number;
  repository_name?: string;
  digest: string;
  size?: number;
  push_time?: string;
  tags?: HarborTag[] | null;
  labels?: HarborLabel[] | null;
  /** Keyed by report MIME type. */
  scan_overview?: Record<string, NativeReportSummary> | null;
  references?: unknown[] | null;
  annotations?: Record<string, string> | null;
  /** For images: architecture, os, created, author and the image config's `config` (Labels among it). */
  extra_attrs?: Record<string, unknown> | null;
}

export interface PageOptions {
  /** Harbor `q=` expression, e.g. `name=~app`. */
  q?: string;
  pageSize?: number;
  /** Called once per Harbor request made (for counting). */
  onRequest?: () => void;
}

async function* pages<T>(
  client: HarborClient,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  opts: PageOptions,
  headers?: Record<string, string>,
): AsyncGenerator<T[]> {
  const pageSize = Math.min(opts.pageSize ?? HARBOR_MAX_PAGE_SIZE, HARBOR_MAX_PAGE_SIZE);
  for (let page = 1; ; page++) {
    opts.onRequest?.();
    const res = await client.request<T[]>('GET', path, {
      query: { ...query, q: opts.q, page, page_size: pageSize },
      headers,
    });
    const items = Array.isArray(res.body) ? res.body : [];
    if (items.length > 0) yield items;
    const total = Number(res.headers.get('x-total-count'));
    const link = res.headers.get('link') ?? '';
    const more = Number.isFinite(total) && total > 0 ? page * pageSize < total : /rel="next"/.test(link);
    if (items.length < pageSize || !more) return;
  }
}

/** The project's repositories, one page (up to 100) at a time. */
export function listRepositoryPages(
  client: HarborClient,
  projectName: string,
  opts: PageOptions = {},
): AsyncGenerator<HarborRepository[]> {
  return pages<HarborRepository>(
    client,
    `/projects/${encodeURIComponent(projectName)}/repositories`,
    { sort: 'name' },
    opts,
  );
}

export interface ArtifactListOptions extends PageOptions {
  withLabel?: boolean;
  withScanOverview?: boolean;
}

/** One repository's artifacts (tags, labels and scan overview included), one page at a time. */
export function listArtifactPages(
  client: HarborClient,
  fullRepositoryName: string,
  opts: ArtifactListOptions = {},
): AsyncGenerator<HarborArtifact[]> {
  const { project, repository } = splitRepositoryName(fullRepositoryName);
  return pages<HarborArtifact>(
    client,
    `/projects/${encodeURIComponent(project)}/repositories/${repositoryPathSegment(repository)}/artifacts`,
    {
      with_tag: true,
      with_label: opts.withLabel ?? true,
      with_scan_overview: opts.withScanOverview ?? true,
      // A stable order: newest first, as Harbor's portal shows them.
      sort: '-push_time',
    },
    opts,
    { 'X-Accept-Vulnerabilities': ACCEPT_VULNERABILITIES },
  );
}

/** One artifact by tag or digest, with tags, labels and scan overview; never one of another repository. */
export async function getArtifact(
  client: HarborClient,
  fullRepositoryName: string,
  reference: string,
  onRequest?: () => void,
): Promise<HarborArtifact> {
  const { project, repository } = splitRepositoryName(fullRepositoryName);
  onRequest?.();
  const path = `/projects/${encodeURIComponent(project)}/repositories/${repositoryPathSegment(repository)}/artifacts/${encodeURIComponent(reference)}`;
  const artifact = await client.get<HarborArtifact>(path, {
    query: { with_tag: true, with_label: true, with_scan_overview: true },
    headers: { 'X-Accept-Vulnerabilities': ACCEPT_VULNERABILITIES },
  });
  return assertArtifactIn(artifact, fullRepositoryName, 'GET', path);
}

export interface VulnerabilityItem {
  id: string;
  package?: string;
  version?: string;
  fix_version?: string;
  severity?: string;
}

/** The artifact's full vulnerability list (empty when Harbor has no report). */
export async function getVulnerabilities(
  client: HarborClient,
  fullRepositoryName: string,
  reference: string,
  onRequest?: () => void,
): Promise<VulnerabilityItem[] | undefined> {
  const { project, repository } = splitRepositoryName(fullRepositoryName);
  onRequest?.();
  const body = await client.get<Record<string, { vulnerabilities?: VulnerabilityItem[] | null }>>(
    `/projects/${encodeURIComponent(project)}/repositories/${repositoryPathSegment(repository)}/artifacts/${encodeURIComponent(reference)}/additions/vulnerabilities`,
    { headers: { 'X-Accept-Vulnerabilities': ACCEPT_VULNERABILITIES } },
  );
  const first = body && typeof body === 'object' ? Object.values(body)[0] : undefined;
  if (!first) return undefined;
  return first.vulnerabilities ?? [];
}
