/**
 * Received webhook events, written before the receiver answers so that none is lost: the
 * processor works through `received` rows, including those left by a restart.
 */
import type { ArtifactEvent } from '../model/webhook-event';
import { sql } from 'kysely';
import type { Migration } from './db';
import type { Sql } from './schema';

export const webhookMigrations: Migration[] = [
  {
    module: 'webhooks',
    version: 1,
    description: 'received Harbor webhook events',
    sql: `
      CREATE TABLE webhook_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        received_at TEXT NOT NULL,
        event_type TEXT NOT NULL,
        project TEXT NOT NULL,
        repository TEXT NOT NULL,
        digest TEXT,
        tag TEXT,
        event TEXT NOT NULL,
        status TEXT NOT NULL,
        message TEXT NOT NULL DEFAULT '',
        execution_ids TEXT NOT NULL DEFAULT '[]',
        attempts INTEGER NOT NULL DEFAULT 0,
        processed_at TEXT
      );
      CREATE INDEX webhook_events_status ON webhook_events (status, id);
    `,
  },
  {
    module: 'webhooks',
    version: 2,
    description: 'a received event is claimed by the process that handles it',
    sql: `
      ALTER TABLE webhook_events ADD COLUMN claimed_by TEXT;
    `,
  },
];

/**
 * received: waiting; done: handled (maybe started runs); ignored: nothing to do; dropped: Harbor does not
 * confirm what the event says (no such artifact, another digest or tag), nothing was done; failed: gave up.
 */
export type WebhookEventStatus = 'received' | 'done' | 'ignored' | 'dropped' | 'failed';

export interface WebhookEventRecord {
  id: number;
  received_at: string;
  event: ArtifactEvent;
  status: WebhookEventStatus;
  message: string;
  execution_ids: number[];
  attempts: number;
  processed_at: string | null;
}

interface Row {
  id: number;
  received_at: string;
  event: string;
  status: WebhookEventStatus;
  message: string;
  execution_ids: string;
  attempts: number;
  processed_at: string | null;
}

const fromRow = (r: Row): WebhookEventRecord => ({
  id: r.id,
  received_at: r.received_at,
  event: JSON.parse(r.event) as ArtifactEvent,
  status: r.status,
  message: r.message,
  execution_ids: JSON.parse(r.execution_ids) as number[],
  attempts: r.attempts,
  processed_at: r.processed_at,
});

/** Rows kept after processing (the newest). */
const KEEP = 5000;

export interface WebhookEventStore {
  /** Stores the events of one delivery together (all or none); returns their ids. */
  insertAll(events: ArtifactEvent[]): Promise<number[]>;
  insert(event: ArtifactEvent): Promise<number>;
  get(id: number): Promise<WebhookEventRecord | undefined>;
  /** Events still to handle, oldest first. */
  pending(limit?: number): Promise<WebhookEventRecord[]>;
  /** The project's newest events, newest first. */
  recent(project: string, limit?: number): Promise<WebhookEventRecord[]>;
  finish(
    id: number,
    status: Exclude<WebhookEventStatus, 'received'>,
    message: string,
    executionIds?: number[],
  ): Promise<void>;
  /** Counts a failed attempt; the event stays `received` for the next pass. Returns the attempts so far. */
  retryLater(id: number, message: string): Promise<number>;
  /**
   * Claims a received, unclaimed event for `owner`: true for exactly one of the processes that try. A claim is
   * let go by retryLater (the next pass may claim it again).
   */
  claim(id: number, owner: string): Promise<boolean>;
}

/** WebhookEventStore over the query layer (SQLite or PostgreSQL). */
export class SqlWebhookEventStore implements WebhookEventStore {
  constructor(private readonly q: Sql) {}

  /** Records the events of one delivery together (all or none). */
  async insertAll(events: ArtifactEvent[]): Promise<number[]> {
    if (events.length === 0) return [];
    const rows = await this.q.db
      .insertInto('webhook_events')
      .values(events.map((e) => this.row(e)))
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  async insert(event: ArtifactEvent): Promise<number> {
    const r = await this.q.db
      .insertInto('webhook_events')
      .values(this.row(event))
      .returning('id')
      .executeTakeFirstOrThrow();
    return r.id;
  }

  private row(event: ArtifactEvent) {
    return {
      received_at: new Date().toISOString(),
      event_type: event.type,
      project: event.project,
      repository: event.repository,
      digest: event.digest ?? null,
      tag: event.tag ?? null,
      event: JSON.stringify(event),
      status: 'received',
    };
  }

  async get(id: number): Promise<WebhookEventRecord | undefined> {
    const r = await this.q.db.selectFrom('webhook_events').selectAll().where('id', '=', id).executeTakeFirst();
    return r && fromRow(r as Row);
  }

  async pending(limit = 50): Promise<WebhookEventRecord[]> {
    const rows = await this.q.db
      .selectFrom('webhook_events')
      .selectAll()
      .where('status', '=', 'received')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => fromRow(r as Row));
  }

  async recent(project: string, limit = 20): Promise<WebhookEventRecord[]> {
    const rows = await this.q.db
      .selectFrom('webhook_events')
      .selectAll()
      .where('project', '=', project)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => fromRow(r as Row));
  }

  async finish(
    id: number,
    status: Exclude<WebhookEventStatus, 'received'>,
    message: string,
    executionIds: number[] = [],
  ): Promise<void> {
    await this.q.db
      .updateTable('webhook_events')
      .set({ status, message, execution_ids: JSON.stringify(executionIds), processed_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute();
    await this.q.db
      .deleteFrom('webhook_events')
      .where('status', '!=', 'received')
      .where('id', '<=', (eb) => eb.selectFrom('webhook_events').select(sql<number>`MAX(id) - ${KEEP}`.as('edge')))
      .execute();
  }

  async claim(id: number, owner: string): Promise<boolean> {
    const r = await this.q.db
      .updateTable('webhook_events')
      .set({ claimed_by: owner })
      .where('id', '=', id)
      .where('status', '=', 'received')
      .where('claimed_by', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Counts a failed attempt; the event stays `received` (and unclaimed) for the next pass. */
  async retryLater(id: number, message: string): Promise<number> {
    const r = await this.q.db
      .updateTable('webhook_events')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), message, claimed_by: null }))
      .where('id', '=', id)
      .returning('attempts')
      .executeTakeFirstOrThrow();
    return r.attempts;
  }
}
