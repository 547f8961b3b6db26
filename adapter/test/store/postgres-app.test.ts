/**
 * The whole adapter on PostgreSQL (PATCHING_DATABASE_URL): it migrates an empty database, health names the
 * engine and the URL without its password, policies are stored there, and a restart on the same database
 * keeps them. The settings are checked with clear errors, and the password never reaches them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startAdapter } from '../../src/app';
import { ConfigError, describeConfig, loadConfig } from '../../src/config/config';
import { emptyPostgresDatabase, policySpec } from './databases';

let database: { url: string; drop(): Promise<void> };
const dataDir = mkdtempSync(join(tmpdir(), 'hp-pg-app-'));
before(async () => {
  database = await emptyPostgresDatabase();
});
after(async () => {
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const withPassword = (url: string) => {
  const u = new URL(url);
  u.password = 's3cret-pw';
  return u.toString();
};

test('the adapter on PostgreSQL: migrated, healthy with the engine named, policies kept across a restart', async () => {
  const start = () => startAdapter({ port: 0, dataDir, databaseUrl: database.url, logLevel: 'silent' });
  const first = await start();
  try {
    assert.equal(first.database.engine, 'postgres');
    assert.throws(() => first.db, /runs on PostgreSQL/);
    const health = await first.services.healthChecks.find((c) => c.name === 'database')!.check();
    assert.equal(health.ok, true, health.error);
    assert.match(health.detail ?? '', /^PostgreSQL postgres:\/\/postgres@127\.0\.0\.1:5432\/hp_test_/);
    await first.services.policyStore.create('library', 1, policySpec('Nightly'), 'admin');
  } finally {
    await first.close();
  }
  const second = await start();
  try {
    assert.deepEqual(
      (await second.services.policyStore.list('library')).items.map((p) => p.name),
      ['Nightly'],
    );
  } finally {
    await second.close();
  }
});

test('an unreachable PostgreSQL fails the start saying so', async () => {
  const url = new URL(database.url);
  url.port = '1';
  await assert.rejects(
    startAdapter({ port: 0, dataDir, databaseUrl: url.toString(), logLevel: 'silent' }),
    /ECONNREFUSED/,
  );
});

test('database settings: checked with clear errors; the password is never shown', () => {
  const env = (vars: Record<string, string>) => ({ PATH: process.env.PATH, ...vars });
  const problems = (vars: Record<string, string>) => {
    try {
      loadConfig(env(vars));
      return [];
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.problems;
    }
  };
  assert.match(
    problems({ PATCHING_DATABASE_URL: 'mysql://u:hunter2@h/db' }).join('\n'),
    /PATCHING_DATABASE_URL: only PostgreSQL is supported/,
  );
  const noDb = problems({ PATCHING_DATABASE_URL: 'postgres://u:hunter2@h:5432' }).join('\n');
  assert.match(noDb, /names no database/);
  assert.doesNotMatch(noDb, /hunter2/);
  assert.match(problems({ PATCHING_DATABASE_SSL: 'maybe' }).join('\n'), /PATCHING_DATABASE_SSL: must be one of/);
  assert.match(problems({ PATCHING_DATABASE_SSL: 'require' }).join('\n'), /only used with PATCHING_DATABASE_URL/);
  assert.match(problems({ PATCHING_DATABASE_POOL_SIZE: '0' }).join('\n'), /between 2 and 200/);
  const c = loadConfig(
    env({
      PATCHING_DATABASE_URL: withPassword(database.url),
      PATCHING_DATABASE_POOL_SIZE: '4',
      PATCHING_DATABASE_STATEMENT_TIMEOUT: '30s',
      PATCHING_DATABASE_SSL: 'require',
    }),
  );
  assert.deepEqual([c.databasePoolSize, c.databaseStatementTimeoutSeconds, c.databaseSsl], [4, 30, 'require']);
  const shown = JSON.stringify(describeConfig(c));
  assert.doesNotMatch(shown, /s3cret-pw/);
  assert.match(shown, /postgres:\/\/postgres:\*\*\*@127\.0\.0\.1/);
});
