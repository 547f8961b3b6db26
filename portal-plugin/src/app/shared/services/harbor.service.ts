import { Injectable, inject } from '@angular/core';
import { HttpClient, HttpHeaders, HttpParams, HttpResponse } from '@angular/common/http';
import { Observable, forkJoin, map } from 'rxjs';
import { HarborArtifact, HarborLabel, HarborPermission, HarborProject, HarborRepository, Page } from './harbor.models';
import { HARBOR_API, VULNERABILITY_ACCEPT, repositoryNameWithoutProject, repositoryPathSegment } from '../units/utils';

export interface PageQuery {
  page: number;
  pageSize: number;
  name?: string;
}

/** Calls to Harbor's own v2.0 API (proxied on the same origin), as Harbor's portal makes them. */
@Injectable({ providedIn: 'root' })
export class HarborService {
  private http = inject(HttpClient);

  listProjects(query: PageQuery): Observable<Page<HarborProject>> {
    let params = new HttpParams().set('page', query.page).set('page_size', query.pageSize).set('with_detail', true);
    if (query.name) params = params.set('name', query.name);
    return this.http.get<HarborProject[]>(`${HARBOR_API}/projects`, { params, observe: 'response' }).pipe(map(toPage));
  }

  getProject(name: string): Observable<HarborProject> {
    const headers = new HttpHeaders({ 'X-Is-Resource-Name': 'true' });
    return this.http.get<HarborProject>(`${HARBOR_API}/projects/${encodeURIComponent(name)}`, { headers });
  }

  listRepositories(project: string, query: PageQuery): Observable<Page<HarborRepository>> {
    let params = new HttpParams().set('page', query.page).set('page_size', query.pageSize);
    if (query.name) params = params.set('q', `name=~${query.name}`);
    return this.http
      .get<HarborRepository[]>(`${HARBOR_API}/projects/${encodeURIComponent(project)}/repositories`, {
        params,
        observe: 'response',
      })
      .pipe(map(toPage));
  }

  /**
   * Artifacts of one repository with tags, labels and the scan overview (Harbor's artifact list call).
   * `name` filters by tag, fuzzily as Harbor's filter box does, or exactly with `exactTag`.
   */
  listArtifacts(
    project: string,
    repository: string,
    query: PageQuery & { exactTag?: boolean },
  ): Observable<Page<HarborArtifact>> {
    const repo = repositoryPathSegment(repositoryNameWithoutProject(repository, project));
    let params = new HttpParams()
      .set('page', query.page)
      .set('page_size', query.pageSize)
      .set('with_tag', true)
      .set('with_label', true)
      .set('with_scan_overview', true)
      .set('with_immutable_status', true);
    if (query.name) params = params.set('q', `tags${query.exactTag ? '=' : '=~'}${query.name}`);
    const headers = new HttpHeaders({ 'X-Accept-Vulnerabilities': VULNERABILITY_ACCEPT });
    return this.http
      .get<HarborArtifact[]>(`${HARBOR_API}/projects/${encodeURIComponent(project)}/repositories/${repo}/artifacts`, {
        params,
        headers,
        observe: 'response',
      })
      .pipe(map(toPage));
  }

  /** Global labels and the project's own labels, for the label filter picker. */
  listLabels(projectId: number): Observable<HarborLabel[]> {
    const global = new HttpParams().set('scope', 'g').set('page_size', 100);
    const project = new HttpParams().set('scope', 'p').set('project_id', projectId).set('page_size', 100);
    return forkJoin([
      this.http.get<HarborLabel[]>(`${HARBOR_API}/labels`, { params: global }),
      this.http.get<HarborLabel[]>(`${HARBOR_API}/labels`, { params: project }),
    ]).pipe(map(([g, p]) => [...(g ?? []), ...(p ?? [])]));
  }

  /** The caller's permissions in a project, relative to it (`repository:push`), as Harbor's portal reads them. */
  projectPermissions(projectId: number): Observable<HarborPermission[]> {
    const params = new HttpParams().set('scope', `/project/${projectId}`).set('relative', true);
    return this.http.get<HarborPermission[]>(`${HARBOR_API}/users/current/permissions`, { params });
  }
}

export function toPage<T>(response: HttpResponse<T[]>): Page<T> {
  const items = response.body ?? [];
  const header = response.headers.get('X-Total-Count');
  const total = header !== null && header !== '' ? Number(header) : items.length;
  return { items, total: Number.isFinite(total) ? total : items.length };
}
