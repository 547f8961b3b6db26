/**
 * The patch policies table group. Only this module reads or writes `patch_policies`; other modules
 * call these functions. Filters, trigger and options are stored as JSON exactly as validated.
 */
import type { NormalizedFilter, PatchPolicy, PolicySpec, PolicyTrigger } from '@harbor-patching/shared/policy/model';
import { ConflictError } from '../model/errors';
import { sql } from 'kysely';
import type { Migration } from './db';
import type { Sql } from './schema';

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

/** A unique constraint refused the row (SQLite's and PostgreSQL's codes). */
function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

export const POLICY_SORTS = {
  name: 'lower(name) ASC, id ASC',
  '-name': 'lower(name) DESC, id DESC',
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

/** PolicyStore over the query layer (SQLite or PostgreSQL). */
export class SqlPolicyStore implements PolicyStore {
  constructor(private readonly q: Sql) {}

  async create(
    projectName: string,
    projectId: number,
    spec: PolicySpec,
    actor: string,
    now = new Date(),
  ): Promise<PatchPolicy> {
    const time = now.toISOString();
    try {
      const r = await this.q.db
        .insertInto('patch_policies')
        .values({
          ...specColumns(spec),
          project_name: projectName,
          project_id: projectId,
          creator: actor,
          updated_by: actor,
          creation_time: time,
          update_time: time,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return (await this.get(projectName, r.id))!;
    } catch (err) {
      if (isUniqueViolation(err)) throw new PolicyNameTakenError(projectName, spec.name);
      throw err;
    }
  }

  /** A policy of the project (undefined when it does not exist or belongs to another project). */
  async get(projectName: string, id: number): Promise<PatchPolicy | undefined> {
    const row = await this.q.db
      .selectFrom('patch_policies')
      .selectAll()
      .where('id', '=', id)
      .where('project_name', '=', projectName)
      .executeTakeFirst();
    return row ? fromRow(row as PolicyRow) : undefined;
  }

  /** A policy by id alone (for runs and triggers that already hold the id). */
  async getById(id: number): Promise<PatchPolicy | undefined> {
    const row = await this.q.db.selectFrom('patch_policies').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? fromRow(row as PolicyRow) : undefined;
  }

  async list(projectName: string, q: PolicyListQuery = {}): Promise<{ items: PatchPolicy[]; total: number }> {
    let query = this.q.db.selectFrom('patch_policies').where('project_name', '=', projectName);
    if (q.name) {
      const pattern = `%${q.name.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where(sql<boolean>`lower(name) LIKE ${pattern} ESCAPE '\\'`);
    }
    const pageSize = q.pageSize ?? 10;
    const page = q.page ?? 1;
    const total = await query.select(sql<number>`CAST(COUNT(*) AS INTEGER)`.as('n')).executeTakeFirstOrThrow();
    const rows = await query
      .selectAll()
      .orderBy(sql.raw(POLICY_SORTS[q.sort ?? '-creation_time']))
      .limit(pageSize)
      .offset((page - 1) * pageSize)
      .execute();
    return { items: rows.map((r) => fromRow(r as PolicyRow)), total: Number(total.n) };
  }

  /** Every policy of every project, optionally only enabled ones or one trigger type (for the scheduler and webhooks). */
  async listAll(filter: PolicyFilter = {}): Promise<PatchPolicy[]> {
    let query = this.q.db.selectFrom('patch_policies').selectAll();
    if (filter.enabled !== undefined) query = query.where('enabled', '=', filter.enabled ? 1 : 0);
    if (filter.triggerType) query = query.where('trigger_type', '=', filter.triggerType);
    if (filter.projectName) query = query.where('project_name', '=', filter.projectName);
    return (await query.orderBy('id').execute()).map((r) => fromRow(r as PolicyRow));
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
      const r = await this.q.db
        .updateTable('patch_policies')
        .set({ ...specColumns(spec), updated_by: actor, update_time: now.toISOString() })
        .where('id', '=', id)
        .where('project_name', '=', projectName)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 0 ? undefined : this.get(projectName, id);
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
    const r = await this.q.db
      .updateTable('patch_policies')
      .set({ enabled: enabled ? 1 : 0, updated_by: actor, update_time: now.toISOString() })
      .where('id', '=', id)
      .where('project_name', '=', projectName)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 0 ? undefined : this.get(projectName, id);
  }

  async delete(projectName: string, id: number): Promise<boolean> {
    const r = await this.q.db
      .deleteFrom('patch_policies')
      .where('id', '=', id)
      .where('project_name', '=', projectName)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
