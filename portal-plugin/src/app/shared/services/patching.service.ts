import { Injectable, inject } from '@angular/core';
import { HttpClient, HttpErrorResponse, HttpParams, HttpResponse } from '@angular/common/http';
import { Observable, map } from 'rxjs';
import { ApiConfiguration } from '../../api/api-configuration';
import {
  createPolicy,
  deletePolicy,
  disablePolicy,
  enablePolicy,
  getPolicy,
  listPolicies,
  updatePolicy,
} from '../../api/functions';
import { Page } from './harbor.models';
import { toPage } from './harbor.service';
import {
  ApiError,
  Execution,
  PatchPolicy,
  PatchPolicyInput,
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

/**
 * The patching service's REST API (`/patching/api/v1`). Policy calls go through the client generated
 * from shared/src/api/openapi.yaml (src/app/api); the others follow the adapter's routes until the
 * document describes them.
 */
@Injectable({ providedIn: 'root' })
export class PatchingService {
  private http = inject(HttpClient);
  private config = inject(ApiConfiguration);

  private get root(): string {
    return this.config.rootUrl || PATCHING_API;
  }

  private project(project: string): string {
    return `${this.root}/projects/${encodeURIComponent(project)}`;
  }

  listPolicies(project: string, query: ListQuery): Observable<Page<PatchPolicy>> {
    return listPolicies(this.http, this.root, {
      project_name: project,
      page: query.page,
      page_size: query.pageSize,
      name: query.name || undefined,
    }).pipe(map(toPage));
  }

  getPolicy(project: string, id: number): Observable<PatchPolicy> {
    return getPolicy(this.http, this.root, { project_name: project, policy_id: id }).pipe(map((r) => r.body));
  }

  createPolicy(project: string, policy: PatchPolicyInput): Observable<PatchPolicy> {
    return createPolicy(this.http, this.root, { project_name: project, body: policy }).pipe(map((r) => r.body));
  }

  updatePolicy(project: string, id: number, policy: PatchPolicyInput): Observable<PatchPolicy> {
    return updatePolicy(this.http, this.root, { project_name: project, policy_id: id, body: policy }).pipe(
      map((r) => r.body),
    );
  }

  setPolicyEnabled(project: string, id: number, enabled: boolean): Observable<PatchPolicy> {
    const call = enabled ? enablePolicy : disablePolicy;
    return call(this.http, this.root, { project_name: project, policy_id: id }).pipe(map((r) => r.body));
  }

  deletePolicy(project: string, id: number): Observable<unknown> {
    return deletePolicy(this.http, this.root, { project_name: project, policy_id: id });
  }

  /** Dry run of a draft policy: which artifacts would be patched now, and why the others not. */
  previewPolicy(project: string, policy: PatchPolicyInput): Observable<PolicyPreview> {
    return this.http.post<PolicyPreview>(`${this.project(project)}/policies/preview`, policy).pipe(
      map((body) => ({ ...body, candidates: body?.candidates ?? [], excluded: body?.excluded ?? [] })),
    );
  }

  /** Runs a policy now (like Harbor's "Replicate"); answers the new execution. */
  runPolicy(project: string, policyId: number): Observable<Execution> {
    return this.http.post<Execution>(`${this.project(project)}/policies/${policyId}/executions`, {});
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

  /**
   * Patches one artifact now (needs `repository:push`). The answer is the execution (202), with the
   * task's id in the `X-Patch-Task-Id` header.
   */
  patchArtifact(project: string, repository: string, reference: string): Observable<PatchStarted> {
    const repo = repositoryPathSegment(repositoryNameWithoutProject(repository, project));
    const ref = encodeURIComponent(reference);
    return this.http
      .post<Execution>(`${this.project(project)}/repositories/${repo}/artifacts/${ref}/patch`, {}, { observe: 'response' })
      .pipe(map(toPatchStarted));
  }
}

export function toPatchStarted(response: HttpResponse<Execution>): PatchStarted {
  const taskId = Number(response.headers.get('X-Patch-Task-Id'));
  const executionId = Number(response.body?.id);
  if (!Number.isInteger(taskId) || !Number.isInteger(executionId)) {
    throw new Error('The patch was accepted but the answer named no task; open the Executions tab to follow it.');
  }
  return { execution_id: executionId, task_id: taskId };
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
