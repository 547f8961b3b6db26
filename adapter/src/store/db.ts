import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

/**
 * One schema step owned by one store. A store owns its tables: only its own code reads or
 * writes them, everything else calls its methods. Every step is listed once in migrations.ts.
 * `version` counts up from 1 within the module; applied steps are never edited,
 * a change is a new step.
 */
export interface Migration {
  module: string;
  version: number;
  description: string;
  sql: string;
}

/** Opens (creating if needed) the SQLite file with the settings the service relies on. */
export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

/** Whether the database answers a trivial query (the health check). */
export function pingDatabase(db: Db): boolean {
  return (db.prepare('SELECT 1 AS one').get() as { one: number }).one === 1;
}

/**
 * Schema steps recorded in the database that `known` does not hold, as "module@version": the database was
 * migrated by a newer release. Migrations only go forward, so this release must not use it.
 */
export function unknownMigrations(db: Db, known: readonly Migration[]): string[] {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (!table) return [];
  const keys = new Set(known.map((m) => `${m.module}@${m.version}`));
  return (db.prepare('SELECT module, version FROM schema_migrations ORDER BY module, version').all() as Migration[])
    .map((m) => `${m.module}@${m.version}`)
    .filter((key) => !keys.has(key));
}

/** Applies every migration not yet recorded, each in its own transaction, in (module order given, version) order. */
export function migrate(db: Db, migrations: readonly Migration[]): string[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    module TEXT NOT NULL,
    version INTEGER NOT NULL,
    description TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (module, version)
  )`);
  const applied = new Set(
    db
      .prepare('SELECT module, version FROM schema_migrations')
      .all()
      .map((r) => {
        const row = r as { module: string; version: number };
        return `${row.module}@${row.version}`;
      }),
  );
  const seen = new Set<string>();
  const done: string[] = [];
  for (const m of migrations) {
    const key = `${m.module}@${m.version}`;
    if (seen.has(key)) throw new Error(`migration ${key} is declared twice`);
    seen.add(key);
    if (applied.has(key)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (module, version, description, applied_at) VALUES (?, ?, ?, ?)').run(
        m.module,
        m.version,
        m.description,
        new Date().toISOString(),
      );
    })();
    done.push(key);
  }
  return done;
}
