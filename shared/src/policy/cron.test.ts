import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cronProblem, isValidCron, nextRunTimes, previousRunTime } from './cron';
import { CRON_PRESETS } from './model';

test('Harbor presets are valid', () => {
  for (const c of Object.values(CRON_PRESETS)) assert.equal(cronProblem(c), undefined, c);
});

test('invalid expressions are explained', () => {
  assert.match(cronProblem('0 0 * * *')!, /6 fields/);
  assert.match(cronProblem('0 0 0 * * * *')!, /6 fields/);
  assert.match(cronProblem('30 0 * * * *')!, /seconds field/);
  assert.match(cronProblem('* 0 * * * *')!, /seconds field/);
  assert.match(cronProblem('0 61 * * * *')!, /not a valid cron/);
  assert.match(cronProblem('0 0 25 * * *')!, /not a valid cron/);
  assert.match(cronProblem('0 0 0 * * 9')!, /not a valid cron/);
  assert.match(cronProblem('@daily')!, /6 fields/);
  assert.match(cronProblem('')!, /required/);
  assert.equal(isValidCron('0 */15 * * * *'), true);
  assert.equal(isValidCron('0 0 3 * * 1-5'), true);
});

test('next run times are computed in UTC, strictly after the start', () => {
  const from = new Date('2025-03-10T10:00:00Z');
  assert.deepEqual(
    nextRunTimes(CRON_PRESETS.daily, from, 3).map((d) => d.toISOString()),
    ['2025-03-11T00:00:00.000Z', '2025-03-12T00:00:00.000Z', '2025-03-13T00:00:00.000Z'],
  );
  assert.deepEqual(
    nextRunTimes(CRON_PRESETS.hourly, from, 2).map((d) => d.toISOString()),
    ['2025-03-10T11:00:00.000Z', '2025-03-10T12:00:00.000Z'],
  );
  // 2025-03-10 is a Monday: the weekly preset runs on Sunday 00:00.
  assert.equal(nextRunTimes(CRON_PRESETS.weekly, from, 1)[0].toISOString(), '2025-03-16T00:00:00.000Z');
  assert.throws(() => nextRunTimes('bad', from, 1), /6 fields/);
});

test('previous run time is the latest slot at or before the instant', () => {
  assert.equal(
    previousRunTime(CRON_PRESETS.daily, new Date('2025-03-10T10:00:00Z'))!.toISOString(),
    '2025-03-10T00:00:00.000Z',
  );
  assert.equal(
    previousRunTime(CRON_PRESETS.daily, new Date('2025-03-10T00:00:00Z'))!.toISOString(),
    '2025-03-10T00:00:00.000Z',
  );
  assert.equal(
    previousRunTime(CRON_PRESETS.hourly, new Date('2025-03-10T10:59:59Z'))!.toISOString(),
    '2025-03-10T10:00:00.000Z',
  );
});
