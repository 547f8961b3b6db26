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
  assert.match(cronProblem('0 61 * * * *')!, /minutes field/);
  assert.match(cronProblem('0 0 25 * * *')!, /hours field/);
  assert.match(cronProblem('0 0 0 * * 9')!, /day of week field/);
  assert.match(cronProblem('@daily')!, /6 fields/);
  assert.match(cronProblem('')!, /required/);
  assert.equal(isValidCron('0 */15 * * * *'), true);
  assert.equal(isValidCron('0 0 3 * * 1-5'), true);
});

test('a 5-field entry is told that Harbor has 6 fields with the seconds first, and how to write it', () => {
  assert.equal(
    cronProblem('30 2 * * 1-5'),
    "Harbor's cron has 6 fields with the seconds first (seconds minutes hours day-of-month month day-of-week); " +
      'add the seconds: "0 30 2 * * 1-5"',
  );
});

test("a bad field is named in a sentence, never in the cron library's words", () => {
  const cases: [string, string][] = [
    ['0 61 * * * *', 'the minutes field (2nd) "61" is out of range: minutes go from 0 to 59'],
    ['0 0 25 * * *', 'the hours field (3rd) "25" is out of range: hours go from 0 to 23'],
    ['0 0 0 32 * *', 'the day of month field (4th) "32" is out of range: days of the month go from 1 to 31'],
    ['0 0 0 * 13 *', 'the month field (5th) "13" is out of range: months go from 1 to 12 (or JAN-DEC)'],
    ['0 */0 * * * *', 'the minutes field (2nd) "*/0" is not valid: a step (*/n) must be 1 or more'],
    ['0 0 5-1 * * *', 'the hours field (3rd) "5-1" is not valid: a range goes from low to high, e.g. 1-5'],
  ];
  for (const [cron, message] of cases) assert.equal(cronProblem(cron), message, cron);
  const chars = cronProblem('0 x * * * *')!;
  assert.match(chars, /^the minutes field \(2nd\) "x" is not valid: use a number, a range/);
  for (const cron of ['0 61 * * * *', '0 x * * * *', '0 0 0 * * MON-FRX', '0 1,,2 * * * *']) {
    assert.doesNotMatch(cronProblem(cron)!, /Constraint error|Invalid characters|Validation error|got value/, cron);
  }
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
