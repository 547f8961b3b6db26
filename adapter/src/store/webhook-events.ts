/**
 * Received webhook events, written before the receiver answers so that none is lost: the
 * processor works through `received` rows, including those left by a restart.
 */
import type { ArtifactEvent } from '../model/webhook-event';
import type { Db, Migration } from './db';

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
}

/** WebhookEventStore over SQLite. */
export class SqliteWebhookEventStore implements WebhookEventStore {
  constructor(private readonly db: Db) {}

  /** Stores the events of one delivery together (all or none). */
  async insertAll(events: ArtifactEvent[]): Promise<number[]> {
    return this.db.transaction(() => events.map((e) => this.insertRow(e)))();
  }

  async insert(event: ArtifactEvent): Promise<number> {
    return this.insertRow(event);
  }

  private insertRow(event: ArtifactEvent): number {
    const info = this.db
      .prepare(
        `INSERT INTO webhook_events (received_at, event_type, project, repository, digest, tag, event, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'received')`,
      )
      .run(
        new Date().toISOString(),
        event.type,
        event.project,
        event.repository,
        event.digest ?? null,
        event.tag ?? null,
        JSON.stringify(event),
      );
    return Number(info.lastInsertRowid);
  }

  async get(id: number): Promise<WebhookEventRecord | undefined> {
    const r = this.db.prepare('SELECT * FROM webhook_events WHERE id = ?').get(id) as Row | undefined;
    return r && fromRow(r);
  }

  async pending(limit = 50): Promise<WebhookEventRecord[]> {
    return (
      this.db.prepare(`SELECT * FROM webhook_events WHERE status = 'received' ORDER BY id LIMIT ?`).all(limit) as Row[]
    ).map(fromRow);
  }

  async recent(project: string, limit = 20): Promise<WebhookEventRecord[]> {
    return (
      this.db
        .prepare('SELECT * FROM webhook_events WHERE project = ? ORDER BY id DESC LIMIT ?')
        .all(project, limit) as Row[]
    ).map(fromRow);
  }

  async finish(
    id: number,
    status: Exclude<WebhookEventStatus, 'received'>,
    message: string,
    executionIds: number[] = [],
  ): Promise<void> {
    this.db
      .prepare('UPDATE webhook_events SET status = ?, message = ?, execution_ids = ?, processed_at = ? WHERE id = ?')
      .run(status, message, JSON.stringify(executionIds), new Date().toISOString(), id);
    this.db
      .prepare(
        `DELETE FROM webhook_events WHERE status != 'received' AND id <= (SELECT MAX(id) FROM webhook_events) - ?`,
      )
      .run(KEEP);
  }

  /** Counts a failed attempt; the event stays `received` for the next pass. */
  async retryLater(id: number, message: string): Promise<number> {
    this.db.prepare('UPDATE webhook_events SET attempts = attempts + 1, message = ? WHERE id = ?').run(message, id);
    return (this.db.prepare('SELECT attempts FROM webhook_events WHERE id = ?').get(id) as { attempts: number })
      .attempts;
  }
}
