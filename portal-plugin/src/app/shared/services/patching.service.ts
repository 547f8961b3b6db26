import { Injectable, inject } from '@angular/core';
import { HttpClient, HttpErrorResponse } from '@angular/common/http';
import { Observable, map } from 'rxjs';
import { ApiConfiguration } from '../../api/api-configuration';
import { StrictHttpResponse } from '../../api/strict-http-response';
import {
  createPolicy,
  deletePolicy,
  disablePolicy,
  enablePolicy,
  getExecution,
  getPolicy,
  getTask,
  findTasksByPatchedDigest,
  getWebhookRegistration,
  listExecutions,
  listPolicies,
  listTasks,
  patchArtifact,
  previewPolicy,
  registerWebhook,
  runPolicy,
  stopExecution,
  updatePolicy,
} from '../../api/functions';
import type { ListExecutions$Params, ListTasks$Params } from '../../api/functions';
import type { PolicyPreviewRequest } from '../../api/models';
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
  WebhookRegistration,
} from './patching.models';
import { PATCHING_API, repositoryNameWithoutProject } from '../units/utils';

export interface ListQuery {
  page: number;
  pageSize: number;
  name?: string;
}

export interface ExecutionQuery extends ListQuery {
  policy_id?: number;
  status?: string;
  trigger?: string;
  /** `id`, `-id` (the API's default), `start_time` or `-start_time`. */
  sort?: string;
}

/**
 * The patching service's REST API (`/patching/api/v1`), through the client generated from
 * shared/src/api/openapi.yaml (src/app/api), as Harbor's portal uses its ng-swagger-gen client.
 */
@Injectable({ providedIn: 'root' })
export class PatchingService {
  private http = inject(HttpClient);
  private config = inject(ApiConfiguration);

  private get root(): string {
    return this.config.rootUrl || PATCHING_API;
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
    return getPolicy(this.http, this.root, { project_name: project, policy_id: id }).pipe(map(body));
  }

  createPolicy(project: string, policy: PatchPolicyInput): Observable<PatchPolicy> {
    return createPolicy(this.http, this.root, { project_name: project, body: policy }).pipe(map(body));
  }

  updatePolicy(project: string, id: number, policy: PatchPolicyInput): Observable<PatchPolicy> {
    return updatePolicy(this.http, this.root, { project_name: project, policy_id: id, body: policy }).pipe(map(body));
  }

  setPolicyEnabled(project: string, id: number, enabled: boolean): Observable<PatchPolicy> {
    const call = enabled ? enablePolicy : disablePolicy;
    return call(this.http, this.root, { project_name: project, policy_id: id }).pipe(map(body));
  }

  deletePolicy(project: string, id: number): Observable<unknown> {
    return deletePolicy(this.http, this.root, { project_name: project, policy_id: id });
  }

  /** Dry run of a draft policy: which artifacts would be patched now, and why the others not. */
  previewPolicy(project: string, draft: PatchPolicyInput): Observable<PolicyPreview> {
    // The endpoint takes `{"policy_id": N}` or a draft policy (the same body as create).
    const request: PolicyPreviewRequest = draft;
    return previewPolicy(this.http, this.root, { project_name: project, body: request }).pipe(map(body));
  }

  /** Runs a policy now (like Harbor's "Replicate"); answers the new execution. */
  runPolicy(project: string, policyId: number): Observable<Execution> {
    return runPolicy(this.http, this.root, { project_name: project, policy_id: policyId }).pipe(map(body));
  }

  /** Whether Harbor's webhook policy for this service is registered in the project (project admin). */
  getWebhook(project: string): Observable<WebhookRegistration> {
    return getWebhookRegistration(this.http, this.root, { project_name: project }).pipe(map(body));
  }

  /** Creates or updates Harbor's webhook policy so scan events reach this service (project admin). */
  registerWebhook(project: string): Observable<WebhookRegistration> {
    return registerWebhook(this.http, this.root, { project_name: project }).pipe(map(body));
  }

  listExecutions(project: string, query: ExecutionQuery): Observable<Page<Execution>> {
    return listExecutions(this.http, this.root, {
      project_name: project,
      page: query.page,
      page_size: query.pageSize,
      policy_id: query.policy_id,
      status: (query.status || undefined) as ListExecutions$Params['status'],
      trigger: (query.trigger || undefined) as ListExecutions$Params['trigger'],
      sort: (query.sort || undefined) as ListExecutions$Params['sort'],
    }).pipe(map(toPage));
  }

  getExecution(project: string, id: number): Observable<Execution> {
    return getExecution(this.http, this.root, { project_name: project, execution_id: id }).pipe(map(body));
  }

  stopExecution(project: string, id: number): Observable<unknown> {
    return stopExecution(this.http, this.root, { project_name: project, execution_id: id });
  }

  listTasks(project: string, executionId: number, query: ListQuery & { status?: string }): Observable<Page<PatchTask>> {
    return listTasks(this.http, this.root, {
      project_name: project,
      execution_id: executionId,
      page: query.page,
      page_size: query.pageSize,
      status: (query.status || undefined) as ListTasks$Params['status'],
    }).pipe(map(toPage));
  }

  getTask(project: string, executionId: number, taskId: number): Observable<PatchTask> {
    return getTask(this.http, this.root, { project_name: project, execution_id: executionId, task_id: taskId }).pipe(
      map(body),
    );
  }

  /**
   * The successful tasks that produced these patched images in a repository (the newest per digest):
   * each leads to its source artifact and to its execution.
   */
  tasksByPatchedDigest(project: string, repository: string, digests: string[]): Observable<PatchTask[]> {
    return findTasksByPatchedDigest(this.http, this.root, {
      project_name: project,
      repository: repositoryNameWithoutProject(repository, project),
      patched_digest: digests,
    }).pipe(map(body));
  }

  /** copa's OpenVEX document of a task, as JSON (the task says whether it has one: `has_vex`). */
  taskVexUrl(project: string, executionId: number, taskId: number, platform?: string): string {
    const url = `${this.root}/projects/${encodeURIComponent(project)}/executions/${executionId}/tasks/${taskId}/vex`;
    return platform ? `${url}?platform=${encodeURIComponent(platform)}` : url;
  }

  /** The task log is plain text, readable while the task runs; the browser opens it directly. */
  taskLogUrl(project: string, executionId: number, taskId: number): string {
    return `${this.root}/projects/${encodeURIComponent(project)}/executions/${executionId}/tasks/${taskId}/log`;
  }

  /**
   * Patches one artifact now (needs `repository:push`). The answer is the execution (202), with the
   * task's id in the `X-Patch-Task-Id` header. A repository name with `/` is URL-encoded twice, as Harbor
   * wants it: encoded once here, once more by the generated request builder.
   */
  patchArtifact(project: string, repository: string, reference: string): Observable<PatchStarted> {
    return patchArtifact(this.http, this.root, {
      project_name: project,
      repository_name: encodeURIComponent(repositoryNameWithoutProject(repository, project)),
      reference,
      body: {},
    }).pipe(map(toPatchStarted));
  }
}

function body<T>(response: StrictHttpResponse<T>): T {
  return response.body;
}

/** A failure found in the browser, not told by a server: its text is in the translation file under `key`. */
export class TranslatedError extends Error {
  constructor(readonly key: string) {
    super(key);
    this.name = 'TranslatedError';
  }
}

export function toPatchStarted(response: StrictHttpResponse<Execution>): PatchStarted {
  const taskId = Number(response.headers.get('X-Patch-Task-Id'));
  const executionId = Number(response.body?.id);
  if (!Number.isInteger(taskId) || taskId < 1 || !Number.isInteger(executionId)) {
    throw new TranslatedError('ARTIFACT.PATCH_WITHOUT_TASK');
  }
  return { execution_id: executionId, task_id: taskId };
}

/** Harbor-style error bodies: `{"errors":[{"code","message","field"}]}`. */
export function apiErrors(error: unknown): ApiError[] {
  if (error instanceof HttpErrorResponse) {
    const parsed = typeof error.error === 'string' ? safeJson(error.error) : error.error;
    const list = parsed?.errors;
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
