import { test } from 'node:test';
import assert from 'node:assert/strict';
import { migrate, openDatabase, sqliteSql } from '../../src/store/db';
import { SqlScheduleStore, schedulerMigrations } from '../../src/store/schedules';
import { PolicyScheduler, type ScheduledPolicy } from '../../src/scheduler/scheduler';

function setup(policies: ScheduledPolicy[]) {
  const db = openDatabase(':memory:');
  migrate(db, schedulerMigrations);
  let clock = new Date('2030-03-04T11:59:30Z');
  const active = new Set<number>();
  const started: { policy: number; at: string }[] = [];
  let nextId = 100;
  const scheduler = new PolicyScheduler({
    store: new SqlScheduleStore(sqliteSql(db)),
    now: () => clock,
    listScheduledPolicies: () => policies,
    hasActiveRun: async (id) => active.has(id),
    startRun: async (id) => {
      started.push({ policy: id, at: clock.toISOString() });
      return { id: nextId++ };
    },
  });
  return {
    scheduler,
    started,
    active,
    set: (iso: string) => {
      clock = new Date(iso);
    },
  };
}

const hourly = (id: number, enabled = true): ScheduledPolicy => ({
  id,
  project_name: 'library',
  enabled,
  trigger: { type: 'scheduled', cron: '0 0 * * * *' },
});

test('a scheduled policy fires at its cron slot, once per slot', async () => {
  const s = setup([hourly(1)]);
  assert.deepEqual(await s.scheduler.tick(), [], 'first sight only records the schedule');
  s.set('2030-03-04T11:59:59Z');
  assert.deepEqual(await s.scheduler.tick(), []);
  s.set('2030-03-04T12:00:05Z');
  const fired = await s.scheduler.tick();
  assert.equal(fired.length, 1);
  assert.equal(fired[0].outcome, 'STARTED');
  assert.equal(fired[0].slot, '2030-03-04T12:00:00.000Z');
  assert.equal(fired[0].execution_id, 100);
  s.set('2030-03-04T12:30:00Z');
  assert.deepEqual(await s.scheduler.tick(), [], 'the same slot never runs twice');
  assert.deepEqual(s.started, [{ policy: 1, at: '2030-03-04T12:00:05.000Z' }]);

  const info = await s.scheduler.info(hourly(1));
  assert.equal(info.next_run_time, '2030-03-04T13:00:00.000Z');
  assert.equal(info.last_run_time, '2030-03-04T12:00:00.000Z');
  assert.equal(info.last_execution_id, 100);
  assert.equal(info.recent[0].outcome, 'STARTED');
});

test('a slot that finds the previous run still going is recorded as skipped, not run', async () => {
  const s = setup([hourly(1)]);
  await s.scheduler.tick();
  s.set('2030-03-04T12:00:01Z');
  await s.scheduler.tick();
  s.active.add(1);
  s.set('2030-03-04T13:00:01Z');
  const r = await s.scheduler.tick();
  assert.equal(r.length, 1);
  assert.equal(r[0].outcome, 'SKIPPED');
  assert.equal(r[0].execution_id, null);
  assert.match(r[0].message, /still running/);
  assert.equal(s.started.length, 1, 'no second run while the first is active');
  s.set('2030-03-04T13:20:00Z');
  assert.deepEqual(await s.scheduler.tick(), [], 'a skipped slot is not retried');
  s.active.delete(1);
  s.set('2030-03-04T14:00:00Z');
  assert.equal((await s.scheduler.tick())[0].outcome, 'STARTED');
  assert.deepEqual(
    (await s.scheduler.info(hourly(1))).recent.map((e) => e.outcome),
    ['STARTED', 'SKIPPED', 'STARTED'],
  );
});

test('after downtime, missed slots produce one catch-up run, not a burst', async () => {
  const s = setup([hourly(1)]);
  await s.scheduler.tick();
  s.set('2030-03-04T12:00:02Z');
  await s.scheduler.tick();
  // Down from 12:00 to 18:30: six slots missed.
  s.set('2030-03-04T18:30:00Z');
  const r = await s.scheduler.tick();
  assert.equal(r.length, 1);
  assert.equal(r[0].slot, '2030-03-04T18:00:00.000Z');
  assert.deepEqual(await s.scheduler.tick(), []);
  assert.equal(s.started.length, 2);
});

test('the catch-up survives a restart: state is in SQLite, not in memory', async () => {
  const db = openDatabase(':memory:');
  migrate(db, schedulerMigrations);
  const started: string[] = [];
  const make = (at: string) =>
    new PolicyScheduler({
      store: new SqlScheduleStore(sqliteSql(db)),
      now: () => new Date(at),
      listScheduledPolicies: () => [hourly(7)],
      hasActiveRun: async () => false,
      startRun: async () => {
        started.push(at);
        return { id: 1 };
      },
    });
  await make('2030-03-04T11:00:00Z').tick();
  await make('2030-03-04T12:00:00Z').tick();
  // A fresh scheduler (as after a restart) at 15:10 runs once for the 15:00 slot.
  const r = await make('2030-03-04T15:10:00Z').tick();
  assert.equal(r.length, 1);
  assert.equal(r[0].slot, '2030-03-04T15:00:00.000Z');
  assert.deepEqual(await make('2030-03-04T15:11:00Z').tick(), []);
  assert.deepEqual(started, ['2030-03-04T12:00:00Z', '2030-03-04T15:10:00Z']);
});

test('disabling or deleting a policy cancels its schedule; re-enabling does not catch up', async () => {
  const policies = [hourly(1), hourly(2)];
  const s = setup(policies);
  await s.scheduler.tick();
  policies[0] = hourly(1, false); // disabled
  policies.pop(); // policy 2 deleted
  s.set('2030-03-04T12:00:05Z');
  assert.deepEqual(await s.scheduler.tick(), []);
  assert.equal(await s.scheduler.store.get(1), undefined);
  assert.equal(await s.scheduler.store.get(2), undefined);
  assert.equal((await s.scheduler.info(hourly(1, false))).next_run_time, null);

  policies[0] = hourly(1, true);
  s.set('2030-03-04T14:30:00Z');
  assert.deepEqual(await s.scheduler.tick(), [], 're-enabled: counts from now');
  s.set('2030-03-04T15:00:00Z');
  assert.equal((await s.scheduler.tick()).length, 1);
  assert.deepEqual(s.started, [{ policy: 1, at: '2030-03-04T15:00:00.000Z' }]);
});

test('a changed cron starts counting from the change', async () => {
  const policies: ScheduledPolicy[] = [hourly(1)];
  const s = setup(policies);
  await s.scheduler.tick();
  s.set('2030-03-04T12:10:00Z');
  await s.scheduler.tick(); // 12:00 slot runs
  policies[0] = { ...hourly(1), trigger: { type: 'scheduled', cron: '0 */5 * * * *' } };
  s.set('2030-03-04T12:12:00Z');
  assert.deepEqual(await s.scheduler.tick(), [], 'the 12:10 slot of the new cron predates the change');
  s.set('2030-03-04T12:15:30Z');
  const r = await s.scheduler.tick();
  assert.equal(r[0].slot, '2030-03-04T12:15:00.000Z');
  assert.equal((await s.scheduler.info(policies[0])).next_run_time, '2030-03-04T12:20:00.000Z');
});

test('a run that cannot start is logged as FAILED with the reason', async () => {
  const db = openDatabase(':memory:');
  migrate(db, schedulerMigrations);
  let at = '2030-03-04T11:00:00Z';
  const sch = new PolicyScheduler({
    store: new SqlScheduleStore(sqliteSql(db)),
    now: () => new Date(at),
    listScheduledPolicies: () => [hourly(3)],
    hasActiveRun: async () => false,
    startRun: async () => {
      throw new Error('Harbor at http://h could not be reached');
    },
  });
  await sch.tick();
  at = '2030-03-04T12:00:00Z';
  const r = await sch.tick();
  assert.equal(r[0].outcome, 'FAILED');
  assert.match(r[0].message, /could not be reached/);
});
