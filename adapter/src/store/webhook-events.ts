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
  {
    module: 'webhooks',
    version: 3,
    description: "Harbor's event is stored once however many replicas receive it; a claim lapses if its process died",
    sql: `
      ALTER TABLE webhook_events ADD COLUMN event_identity TEXT;
      ALTER TABLE webhook_events ADD COLUMN claimed_at INTEGER;
      CREATE UNIQUE INDEX webhook_events_identity ON webhook_events (event_identity);
    `,
    postgres: `
      ALTER TABLE webhook_events ADD COLUMN event_identity TEXT;
      ALTER TABLE webhook_events ADD COLUMN claimed_at BIGINT;
      CREATE UNIQUE INDEX webhook_events_identity ON webhook_events (event_identity);
    `,
  },
];

/**
 * What makes a delivered event the same event: Harbor's type, its occur_at (seconds), project, repository,
 * digest, tag and scan type. Harbor sends one payload per webhook policy, so the same event reaches every
 * replica whose URL is registered (and again when Harbor retries a delivery): those copies agree on all of
 * these. Two distinct events agreeing on all of them (the same tag of the same digest pushed twice within one
 * second) would be handled once, which is what handling them twice would do anyway. Without occur_at (not
 * in every payload) an event has no identity and is never merged with another.
 */
export function eventIdentity(e: ArtifactEvent): string | null {
  if (e.occur_at === undefined) return null;
  return JSON.stringify([e.type, e.occur_at, e.project, e.repository, e.digest, e.tag ?? null, e.scan_type ?? null]);
}

/** A claim older than this is taken to be of a process that died while handling the event. */
export const CLAIM_LAPSE_MS = 10 * 60_000;

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

const lapsed = () => Date.now() - CLAIM_LAPSE_MS;

/** Rows kept after processing (the newest). */
const KEEP = 5000;

export interface WebhookEventStore {
  /**
   * Stores the events of one delivery together (all or none); returns their ids. An event already stored (the
   * same identity, see eventIdentity) is not stored again: its id is the stored one's.
   */
  insertAll(events: ArtifactEvent[]): Promise<number[]>;
  insert(event: ArtifactEvent): Promise<number>;
  get(id: number): Promise<WebhookEventRecord | undefined>;
  /** Events still to handle and not claimed by a live process, oldest first. */
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
   * let go by retryLater (the next pass may claim it again), and lapses after CLAIM_LAPSE_MS (its process died).
   */
  claim(id: number, owner: string): Promise<boolean>;
}

/** WebhookEventStore over the query layer (SQLite or PostgreSQL). */
export class SqlWebhookEventStore implements WebhookEventStore {
  constructor(private readonly q: Sql) {}

  async insertAll(events: ArtifactEvent[]): Promise<number[]> {
    if (events.length === 0) return [];
    return this.q.db.transaction().execute(async (tx) => {
      const ids: number[] = [];
      for (const e of events) {
        const row = this.row(e);
        const inserted = await tx
          .insertInto('webhook_events')
          .values(row)
          .onConflict((oc) => oc.column('event_identity').doNothing())
          .returning('id')
          .executeTakeFirst();
        // On PostgreSQL a concurrent insert of the same identity waits for the other transaction, so its row
        // is committed (and visible) here.
        const id =
          inserted?.id ??
          (
            await tx
              .selectFrom('webhook_events')
              .select('id')
              .where('event_identity', '=', row.event_identity!)
              .executeTakeFirstOrThrow()
          ).id;
        ids.push(id);
      }
      return ids;
    });
  }

  async insert(event: ArtifactEvent): Promise<number> {
    return (await this.insertAll([event]))[0];
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
      event_identity: eventIdentity(event),
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
      .where((eb) =>
        eb.or([eb('claimed_by', 'is', null), eb('claimed_at', 'is', null), eb('claimed_at', '<', lapsed())]),
      )
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
      .set({ claimed_by: owner, claimed_at: Date.now() })
      .where('id', '=', id)
      .where('status', '=', 'received')
      .where((eb) =>
        eb.or([eb('claimed_by', 'is', null), eb('claimed_at', 'is', null), eb('claimed_at', '<', lapsed())]),
      )
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Counts a failed attempt; the event stays `received` (and unclaimed) for the next pass. */
  async retryLater(id: number, message: string): Promise<number> {
    const r = await this.q.db
      .updateTable('webhook_events')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), message, claimed_by: null, claimed_at: null }))
      .where('id', '=', id)
      .returning('attempts')
      .executeTakeFirstOrThrow();
    return r.attempts;
  }
}
