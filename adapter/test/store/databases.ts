/**
 * The databases the store tests run on: a fresh SQLite file in memory, and a fresh PostgreSQL database with a
 * unique name on the machine's server (PATCHING_TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres),
 * dropped again by `close`. Both come migrated with the steps given.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate, migratePostgres, openDatabase, postgresSql, sqliteSql, type Migration } from '../../src/store/db';
import type { Sql } from '../../src/store/schema';
import type { PolicySpec } from '@harbor-patching/shared/policy/model';

export const POSTGRES_ADMIN_URL =
  process.env.PATCHING_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: 'SQLite' | 'PostgreSQL';
  sql: Sql;
  /** Empties every table the steps made (ids start again at 1), for the next test of the file. */
  reset(): Promise<void>;
  /** Applies more steps (e.g. a later migration over existing rows). */
  migrate(steps: readonly Migration[]): Promise<void>;
  close(): Promise<void>;
}

export async function sqliteDatabase(steps: readonly Migration[]): Promise<TestDatabase> {
  const db = openDatabase(':memory:');
  migrate(db, steps);
  const sql = sqliteSql(db);
  return {
    name: 'SQLite',
    sql,
    reset: async () => {
      const tables = db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('schema_migrations', 'sqlite_sequence')",
        )
        .all() as { name: string }[];
      db.pragma('foreign_keys = OFF');
      for (const t of tables) db.prepare(`DELETE FROM ${t.name}`).run();
      db.pragma('foreign_keys = ON');
      if (db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").get())
        db.prepare('DELETE FROM sqlite_sequence').run();
    },
    migrate: async (more) => void migrate(db, more),
    close: async () => {
      await sql.db.destroy();
      db.close();
    },
  };
}

/** An empty PostgreSQL database with a unique name; `drop` removes it. */
export async function emptyPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `hp_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export async function postgresDatabase(steps: readonly Migration[]): Promise<TestDatabase> {
  const empty = await emptyPostgresDatabase();
  const url = new URL(empty.url);
  const sql = postgresSql({ url: url.toString(), poolSize: 4 });
  await migratePostgres(sql.pool, steps);
  return {
    name: 'PostgreSQL',
    sql,
    reset: async () => {
      const tables = await sql.pool.query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'",
      );
      if (tables.rows.length === 0) return;
      await sql.pool.query(`TRUNCATE ${tables.rows.map((t) => t.tablename).join(', ')} RESTART IDENTITY CASCADE`);
    },
    migrate: async (more) => void (await migratePostgres(sql.pool, more)),
    close: async () => {
      await sql.db.destroy();
      await empty.drop();
    },
  };
}

/** Both engines, for `for (const open of ENGINES)` loops over the same test bodies. */
export const ENGINES = [sqliteDatabase, postgresDatabase] as const;

/** A valid manual policy named `name`, as the policy store takes it. */
export const policySpec = (name: string): PolicySpec =>
  ({
    name,
    description: '',
    enabled: true,
    filters: [],
    trigger: { type: 'manual' },
    severity_threshold: 'High',
    mode: 'update-all',
    tag_scheme: 'suffix',
    tag_suffix: '-patched',
    options: { rescan: true, copy_labels: true, delete_original: false },
  }) as unknown as PolicySpec;
