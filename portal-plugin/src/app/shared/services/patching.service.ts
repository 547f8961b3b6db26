import { Injectable, inject } from '@angular/core';
import { HttpClient, HttpErrorResponse, HttpParams } from '@angular/common/http';
import { Observable, map } from 'rxjs';
import { Page } from './harbor.models';
import { toPage } from './harbor.service';
import {
  ApiError,
  Execution,
  PatchPolicy,
  PatchStarted,
  PatchTask,
  PolicyPreview,
} from './patching.models';
import { PATCHING_API, repositoryNameWithoutProject, repositoryPathSegment } from '../units/utils';

export interface ListQuery {
  page: number;
  pageSize: number;
  name?: string;
}

export interface ExecutionQuery extends ListQuery {
  policy_id?: number;
  status?: string;
  trigger?: string;
}

/** The patching service's REST API (`/patching/api/v1`, shared/src/api/openapi.yaml). */
@Injectable({ providedIn: 'root' })
export class PatchingService {
  private http = inject(HttpClient);

  private project(project: string): string {
    return `${PATCHING_API}/projects/${encodeURIComponent(project)}`;
  }

  listPolicies(project: string, query: ListQuery): Observable<Page<PatchPolicy>> {
    let params = new HttpParams().set('page', query.page).set('page_size', query.pageSize);
    if (query.name) params = params.set('q', `name=~${query.name}`);
    return this.http
      .get<PatchPolicy[]>(`${this.project(project)}/policies`, { params, observe: 'response' })
      .pipe(map(toPage));
  }

  getPolicy(project: string, id: number): Observable<PatchPolicy> {
    return this.http.get<PatchPolicy>(`${this.project(project)}/policies/${id}`);
  }

  createPolicy(project: string, policy: PatchPolicy): Observable<unknown> {
    return this.http.post(`${this.project(project)}/policies`, policy);
  }

  updatePolicy(project: string, id: number, policy: PatchPolicy): Observable<unknown> {
    return this.http.put(`${this.project(project)}/policies/${id}`, policy);
  }

  deletePolicy(project: string, id: number): Observable<unknown> {
    return this.http.delete(`${this.project(project)}/policies/${id}`);
  }

  /** Dry run: which artifacts a policy would patch now, and why the others not. */
  previewPolicy(project: string, policy: PatchPolicy): Observable<PolicyPreview> {
    return this.http.post<PolicyPreview | PolicyPreview['candidates']>(`${this.project(project)}/policies/preview`, policy).pipe(
      map((body) => (Array.isArray(body) ? { candidates: body } : { candidates: body?.candidates ?? [] })),
    );
  }

  /** Runs a policy now (like Harbor's "Replicate"); answers the new execution. */
  runPolicy(project: string, policyId: number): Observable<Execution> {
    return this.http.post<Execution>(`${this.project(project)}/executions`, { policy_id: policyId });
  }

  listExecutions(project: string, query: ExecutionQuery): Observable<Page<Execution>> {
    let params = new HttpParams().set('page', query.page).set('page_size', query.pageSize);
    if (query.policy_id) params = params.set('policy_id', query.policy_id);
    if (query.status) params = params.set('status', query.status);
    if (query.trigger) params = params.set('trigger', query.trigger);
    return this.http
      .get<Execution[]>(`${this.project(project)}/executions`, { params, observe: 'response' })
      .pipe(map(toPage));
  }

  getExecution(project: string, id: number): Observable<Execution> {
    return this.http.get<Execution>(`${this.project(project)}/executions/${id}`);
  }

  stopExecution(project: string, id: number): Observable<unknown> {
    return this.http.post(`${this.project(project)}/executions/${id}/stop`, {});
  }

  listTasks(project: string, executionId: number, query: ListQuery & { status?: string }): Observable<Page<PatchTask>> {
    let params = new HttpParams().set('page', query.page).set('page_size', query.pageSize);
    if (query.status) params = params.set('status', query.status);
    return this.http
      .get<PatchTask[]>(`${this.project(project)}/executions/${executionId}/tasks`, { params, observe: 'response' })
      .pipe(map(toPage));
  }

  getTask(project: string, executionId: number, taskId: number): Observable<PatchTask> {
    return this.http.get<PatchTask>(`${this.project(project)}/executions/${executionId}/tasks/${taskId}`);
  }

  taskLogUrl(project: string, executionId: number, taskId: number): string {
    return `${this.project(project)}/executions/${executionId}/tasks/${taskId}/log`;
  }

  /** Patches one artifact now (needs `repository:push`); answers the execution and task created. */
  patchArtifact(project: string, repository: string, reference: string): Observable<PatchStarted> {
    const repo = repositoryPathSegment(repositoryNameWithoutProject(repository, project));
    const ref = encodeURIComponent(reference);
    return this.http
      .post<Partial<PatchStarted> & Partial<PatchTask>>(`${this.project(project)}/repositories/${repo}/artifacts/${ref}/patch`, {})
      .pipe(map(toPatchStarted));
  }
}

/** The endpoint may answer the task itself or `{execution_id, task_id}`; both lead to the task page. */
export function toPatchStarted(body: Partial<PatchStarted> & Partial<PatchTask>): PatchStarted {
  if (body.task_id !== undefined && body.execution_id !== undefined) {
    return { execution_id: body.execution_id, task_id: body.task_id, task: body.task };
  }
  if (body.task) return { execution_id: body.task.execution_id, task_id: body.task.id, task: body.task };
  return { execution_id: Number(body.execution_id), task_id: Number(body.id), task: body as PatchTask };
}

/** Harbor-style error bodies: `{"errors":[{"code","message","field"}]}`. */
export function apiErrors(error: unknown): ApiError[] {
  if (error instanceof HttpErrorResponse) {
    const body = typeof error.error === 'string' ? safeJson(error.error) : error.error;
    const list = body?.errors;
    if (Array.isArray(list) && list.length) return list as ApiError[];
    return [{ code: String(error.status), message: error.message }];
  }
  return [{ code: 'UNKNOWN', message: String((error as Error)?.message ?? error) }];
}

export function errorMessage(error: unknown): string {
  return apiErrors(error)
    .map((e) => e.message)
    .join('; ');
}

function safeJson(text: string): { errors?: unknown } | null {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
