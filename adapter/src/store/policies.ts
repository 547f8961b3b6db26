/**
 * The patch policies table group. Only this module reads or writes `patch_policies`; other modules
 * call these functions. Filters, trigger and options are stored as JSON exactly as validated.
 */
import type { NormalizedFilter, PatchPolicy, PolicySpec, PolicyTrigger } from '@harbor-patching/shared/policy/model';
import { ConflictError } from '../model/errors';
import type { Db, Migration } from './db';

export const policyMigrations: Migration[] = [
  {
    module: 'policies',
    version: 1,
    description: 'patch policies per project',
    sql: `
      CREATE TABLE patch_policies (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        project_name TEXT NOT NULL,
        project_id INTEGER NOT NULL,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        enabled INTEGER NOT NULL DEFAULT 1,
        filters TEXT NOT NULL DEFAULT '[]',
        trigger_type TEXT NOT NULL,
        trigger_cron TEXT,
        severity_threshold TEXT NOT NULL,
        mode TEXT NOT NULL,
        tag_scheme TEXT NOT NULL,
        tag_suffix TEXT NOT NULL,
        options TEXT NOT NULL,
        creator TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        creation_time TEXT NOT NULL,
        update_time TEXT NOT NULL,
        UNIQUE (project_name, name)
      );
      CREATE INDEX patch_policies_trigger ON patch_policies (trigger_type, enabled);
    `,
  },
];

interface PolicyRow {
  id: number;
  project_name: string;
  project_id: number;
  name: string;
  description: string;
  enabled: number;
  filters: string;
  trigger_type: PolicyTrigger['type'];
  trigger_cron: string | null;
  severity_threshold: PatchPolicy['severity_threshold'];
  mode: PatchPolicy['mode'];
  tag_scheme: PatchPolicy['tag_scheme'];
  tag_suffix: string;
  options: string;
  creator: string;
  updated_by: string;
  creation_time: string;
  update_time: string;
}

function fromRow(r: PolicyRow): PatchPolicy {
  const trigger: PolicyTrigger = r.trigger_cron
    ? { type: r.trigger_type, cron: r.trigger_cron }
    : { type: r.trigger_type };
  return {
    id: r.id,
    project_name: r.project_name,
    project_id: r.project_id,
    name: r.name,
    description: r.description,
    enabled: r.enabled === 1,
    filters: JSON.parse(r.filters) as NormalizedFilter[],
    trigger,
    severity_threshold: r.severity_threshold,
    mode: r.mode,
    tag_scheme: r.tag_scheme,
    tag_suffix: r.tag_suffix,
    options: JSON.parse(r.options) as PatchPolicy['options'],
    creator: r.creator,
    updated_by: r.updated_by,
    creation_time: r.creation_time,
    update_time: r.update_time,
  };
}

function specColumns(spec: PolicySpec) {
  return {
    name: spec.name,
    description: spec.description,
    enabled: spec.enabled ? 1 : 0,
    filters: JSON.stringify(spec.filters),
    trigger_type: spec.trigger.type,
    trigger_cron: spec.trigger.type === 'scheduled' ? (spec.trigger.cron ?? null) : null,
    severity_threshold: spec.severity_threshold,
    mode: spec.mode,
    tag_scheme: spec.tag_scheme,
    tag_suffix: spec.tag_suffix,
    options: JSON.stringify(spec.options),
  };
}

/** Thrown when another policy of the project already has the name. */
export class PolicyNameTakenError extends ConflictError {
  constructor(
    readonly projectName: string,
    readonly policyName: string,
  ) {
    super(`a policy named "${policyName}" already exists in project "${projectName}"; choose another name`, {
      field: 'name',
    });
  }
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

export const POLICY_SORTS = {
  name: 'name COLLATE NOCASE ASC, id ASC',
  '-name': 'name COLLATE NOCASE DESC, id DESC',
  creation_time: 'creation_time ASC, id ASC',
  '-creation_time': 'creation_time DESC, id DESC',
  update_time: 'update_time ASC, id ASC',
  '-update_time': 'update_time DESC, id DESC',
  id: 'id ASC',
  '-id': 'id DESC',
} as const;
export type PolicySort = keyof typeof POLICY_SORTS;

export interface PolicyListQuery {
  /** Substring of the name (case-insensitive). */
  name?: string;
  sort?: PolicySort;
  page?: number;
  pageSize?: number;
}

export type PolicyFilter = { enabled?: boolean; triggerType?: PolicyTrigger['type']; projectName?: string };

/** Patch policies of every project (table `patch_policies`). Name clashes throw PolicyNameTakenError. */
export interface PolicyStore {
  create(projectName: string, projectId: number, spec: PolicySpec, actor: string, now?: Date): Promise<PatchPolicy>;
  /** A policy of the project (undefined when it does not exist or belongs to another project). */
  get(projectName: string, id: number): Promise<PatchPolicy | undefined>;
  /** A policy by id alone (for runs and triggers that already hold the id). */
  getById(id: number): Promise<PatchPolicy | undefined>;
  list(projectName: string, q?: PolicyListQuery): Promise<{ items: PatchPolicy[]; total: number }>;
  /** Every policy of every project, optionally only enabled ones or one trigger type (for the scheduler and webhooks). */
  listAll(filter?: PolicyFilter): Promise<PatchPolicy[]>;
  /** Replaces the policy's settings; undefined when it does not exist in the project. */
  update(
    projectName: string,
    id: number,
    spec: PolicySpec,
    actor: string,
    now?: Date,
  ): Promise<PatchPolicy | undefined>;
  setEnabled(
    projectName: string,
    id: number,
    enabled: boolean,
    actor: string,
    now?: Date,
  ): Promise<PatchPolicy | undefined>;
  delete(projectName: string, id: number): Promise<boolean>;
}

/** PolicyStore over SQLite. */
export class SqlitePolicyStore implements PolicyStore {
  constructor(private readonly db: Db) {}

  async create(
    projectName: string,
    projectId: number,
    spec: PolicySpec,
    actor: string,
    now = new Date(),
  ): Promise<PatchPolicy> {
    const time = now.toISOString();
    try {
      const info = this.db
        .prepare(
          `INSERT INTO patch_policies (project_name, project_id, name, description, enabled, filters, trigger_type,
             trigger_cron, severity_threshold, mode, tag_scheme, tag_suffix, options, creator, updated_by,
             creation_time, update_time)
           VALUES (@project_name, @project_id, @name, @description, @enabled, @filters, @trigger_type, @trigger_cron,
             @severity_threshold, @mode, @tag_scheme, @tag_suffix, @options, @actor, @actor, @time, @time)`,
        )
        .run({ ...specColumns(spec), project_name: projectName, project_id: projectId, actor, time });
      return (await this.get(projectName, Number(info.lastInsertRowid)))!;
    } catch (err) {
      if (isUniqueViolation(err)) throw new PolicyNameTakenError(projectName, spec.name);
      throw err;
    }
  }

  /** A policy of the project (undefined when it does not exist or belongs to another project). */
  async get(projectName: string, id: number): Promise<PatchPolicy | undefined> {
    const row = this.db.prepare('SELECT * FROM patch_policies WHERE id = ? AND project_name = ?').get(id, projectName);
    return row ? fromRow(row as PolicyRow) : undefined;
  }

  /** A policy by id alone (for runs and triggers that already hold the id). */
  async getById(id: number): Promise<PatchPolicy | undefined> {
    const row = this.db.prepare('SELECT * FROM patch_policies WHERE id = ?').get(id);
    return row ? fromRow(row as PolicyRow) : undefined;
  }

  async list(projectName: string, q: PolicyListQuery = {}): Promise<{ items: PatchPolicy[]; total: number }> {
    const where = ['project_name = @projectName'];
    const params: Record<string, unknown> = { projectName };
    if (q.name) {
      where.push(`name LIKE @name ESCAPE '\\'`);
      params.name = `%${q.name.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    }
    const pageSize = q.pageSize ?? 10;
    const page = q.page ?? 1;
    const order = POLICY_SORTS[q.sort ?? '-creation_time'];
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM patch_policies WHERE ${where.join(' AND ')}`).get(params) as {
        n: number;
      }
    ).n;
    const rows = this.db
      .prepare(
        `SELECT * FROM patch_policies WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT @limit OFFSET @offset`,
      )
      .all({ ...params, limit: pageSize, offset: (page - 1) * pageSize }) as PolicyRow[];
    return { items: rows.map(fromRow), total };
  }

  /** Every policy of every project, optionally only enabled ones or one trigger type (for the scheduler and webhooks). */
  async listAll(filter: PolicyFilter = {}): Promise<PatchPolicy[]> {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (filter.enabled !== undefined) {
      where.push('enabled = @enabled');
      params.enabled = filter.enabled ? 1 : 0;
    }
    if (filter.triggerType) {
      where.push('trigger_type = @triggerType');
      params.triggerType = filter.triggerType;
    }
    if (filter.projectName) {
      where.push('project_name = @projectName');
      params.projectName = filter.projectName;
    }
    const sql = `SELECT * FROM patch_policies ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
    return (this.db.prepare(sql).all(params) as PolicyRow[]).map(fromRow);
  }

  /** Replaces the policy's settings; undefined when it does not exist in the project. */
  async update(
    projectName: string,
    id: number,
    spec: PolicySpec,
    actor: string,
    now = new Date(),
  ): Promise<PatchPolicy | undefined> {
    try {
      const info = this.db
        .prepare(
          `UPDATE patch_policies SET name = @name, description = @description, enabled = @enabled, filters = @filters,
             trigger_type = @trigger_type, trigger_cron = @trigger_cron, severity_threshold = @severity_threshold,
             mode = @mode, tag_scheme = @tag_scheme, tag_suffix = @tag_suffix, options = @options,
             updated_by = @actor, update_time = @time
           WHERE id = @id AND project_name = @projectName`,
        )
        .run({ ...specColumns(spec), id, projectName, actor, time: now.toISOString() });
      return info.changes === 0 ? undefined : this.get(projectName, id);
    } catch (err) {
      if (isUniqueViolation(err)) throw new PolicyNameTakenError(projectName, spec.name);
      throw err;
    }
  }

  async setEnabled(
    projectName: string,
    id: number,
    enabled: boolean,
    actor: string,
    now = new Date(),
  ): Promise<PatchPolicy | undefined> {
    const info = this.db
      .prepare(
        `UPDATE patch_policies SET enabled = ?, updated_by = ?, update_time = ? WHERE id = ? AND project_name = ?`,
      )
      .run(enabled ? 1 : 0, actor, now.toISOString(), id, projectName);
    return info.changes === 0 ? undefined : this.get(projectName, id);
  }

  async delete(projectName: string, id: number): Promise<boolean> {
    return (
      this.db.prepare('DELETE FROM patch_policies WHERE id = ? AND project_name = ?').run(id, projectName).changes > 0
    );
  }
}
