/**
 * Executions and tasks of a project: read them (lists, one, a task's log and VEX document), find the tasks
 * that produced patched images, and stop them. Stopping needs what starting needed: an ad-hoc patch, push
 * in the project; a policy run (MANUAL, SCHEDULE, EVENT) or a job Harbor started (JOBSERVICE), project admin.
 */
import { PATCH_PERMISSION, PROJECT_ADMIN_PERMISSION, type ProjectAccess } from '../auth/access';
import type { PatchEngine } from '../jobs/engine';
import type { Execution, ListPage, Task, TaskStatus } from '../model/execution';
import { ForbiddenError, NotFoundError } from '../model/errors';
import type { ExecutionFilter } from '../store/executions';

export type TaskView = Omit<Task, 'copa_pid'>;

/** The task as the API shows it (no process ids; the VEX document has its own endpoint). */
export function taskView(t: Task): TaskView {
  const { copa_pid: _pid, ...rest } = t;
  return rest;
}

/** Which task of which execution of which project. */
export interface TaskRef {
  project: string;
  executionId: number;
  taskId: number;
}

export class ExecutionController {
  constructor(private readonly engine: PatchEngine) {}

  list(filter: ExecutionFilter): Promise<ListPage<Execution>> {
    return this.engine.store.listExecutions(filter);
  }

  /** The newest successful task of the project that produced each of these patched digests. */
  async tasksByPatchedDigest(project: string, digests: readonly string[], repository?: string): Promise<TaskView[]> {
    return (await this.engine.store.tasksByPatchedDigest(project, digests, repository)).map(taskView);
  }

  async execution(project: string, id: number): Promise<Execution> {
    const e = await this.engine.store.getExecution(id);
    if (!e || e.project !== project) throw new NotFoundError(`execution ${id} does not exist in project ${project}`);
    return e;
  }

  async tasks(
    project: string,
    executionId: number,
    query: { status?: TaskStatus; page: number; page_size: number },
  ): Promise<ListPage<TaskView>> {
    await this.assertExecutionIn(project, executionId);
    const page = await this.engine.store.listTasks({ execution_id: executionId, ...query });
    return { items: page.items.map(taskView), total: page.total };
  }

  async task(ref: TaskRef): Promise<TaskView> {
    return taskView(await this.findTask(ref));
  }

  async log(ref: TaskRef): Promise<string> {
    return await this.engine.logs.read((await this.findTask(ref)).id);
  }

  async vex(ref: TaskRef, platform?: string): Promise<unknown> {
    const t = await this.findTask(ref);
    if (platform !== undefined && !t.platforms?.some((p) => p.platform === platform)) {
      throw new NotFoundError(
        t.platforms
          ? `task ${t.id} has no platform ${platform} (its platforms: ${t.platforms.map((p) => p.platform).join(', ')})`
          : `task ${t.id} patched a single-platform image; leave out platform`,
      );
    }
    const vex = await this.engine.store.getTaskVex(t.id, platform);
    if (!vex) {
      throw new NotFoundError(
        `task ${t.id} has no VEX document (copa writes one only when it applied updates from a report)`,
      );
    }
    return vex;
  }

  async stopExecution(access: ProjectAccess, project: string, id: number): Promise<Execution> {
    const e = await this.execution(project, id);
    assertMayStop(access, e);
    return (await this.engine.stopExecution(e.id))!;
  }

  async stopTask(access: ProjectAccess, ref: TaskRef): Promise<TaskView> {
    const t = await this.findTask(ref);
    assertMayStop(access, (await this.engine.store.getExecution(t.execution_id))!);
    return taskView((await this.engine.stopTask(t.id))!);
  }

  /** 404 unless the execution exists in the project (without counting its tasks, as execution() does). */
  private async assertExecutionIn(project: string, id: number): Promise<void> {
    if ((await this.engine.store.executionProject(id)) !== project) {
      throw new NotFoundError(`execution ${id} does not exist in project ${project}`);
    }
  }

  private async findTask({ project, executionId, taskId }: TaskRef): Promise<Task> {
    await this.assertExecutionIn(project, executionId);
    const t = await this.engine.store.getTask(taskId);
    if (!t || t.execution_id !== executionId) {
      throw new NotFoundError(`task ${taskId} does not exist in execution ${executionId}`);
    }
    return t;
  }
}

function assertMayStop(access: ProjectAccess, e: Execution): void {
  if (e.trigger === 'ADHOC') {
    if (!access.can(PATCH_PERMISSION.resource, PATCH_PERMISSION.action)) {
      throw new ForbiddenError(`stopping a patch needs the repository:push permission in project "${e.project}"`);
    }
    return;
  }
  if (!access.can(PROJECT_ADMIN_PERMISSION.resource, PROJECT_ADMIN_PERMISSION.action)) {
    throw new ForbiddenError(
      `execution ${e.id} is a ${e.trigger === 'JOBSERVICE' ? 'job started by Harbor' : 'policy run'} (${e.trigger}); ` +
        `only a project admin of "${e.project}" (or a system admin) may stop it`,
    );
  }
}
