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
  assert.match(cronProblem('0 61 * * * *')!, /the minutes field \(2nd\) "61": 61 is above the maximum 59/);
  assert.match(cronProblem('0 0 25 * * *')!, /the hours field \(3rd\) "25": 25 is above the maximum 23/);
  assert.match(cronProblem('0 0 0 * * 9')!, /the day of week field \(6th\) "9"/);
  assert.match(cronProblem('@daily')!, /6 fields/);
  assert.match(cronProblem('')!, /required/);
  assert.equal(isValidCron('0 */15 * * * *'), true);
  assert.equal(isValidCron('0 0 3 * * 1-5'), true);
});

test('a 5-field entry is told that Harbor has 6 fields with the seconds first, and how to write it', () => {
  assert.equal(
    cronProblem('30 2 * * 1-5'),
    "Harbor's cron has 6 fields with the seconds first (seconds, minutes, hours, day of month, month, day of week); " +
      'add the seconds: "0 30 2 * * 1-5"',
  );
});

test("a bad field is named in a sentence, never in the cron library's words", () => {
  for (const cron of ['0 61 * * * *', '0 x * * * *', '0 0 0 * * MON-FRX', '0 1,,2 * * * *', '0 */0 * * * *']) {
    const problem = cronProblem(cron)!;
    assert.match(problem, /^the [a-z ]+ field \((2nd|3rd|[4-6]th)\) "/, cron);
    assert.doesNotMatch(problem, /Constraint error|Invalid characters|Validation error|got value/, cron);
  }
});

test("what Harbor's parser (robfig/cron, seconds first) refuses is refused, naming the field", () => {
  const refused: [string, RegExp][] = [
    ['0 0 0 L * *', /day of month field \(4th\) "L": "L" is not a number/],
    ['0 0 0 LW * *', /day of month field \(4th\) "LW"/],
    ['0 0 0 15W * *', /day of month field \(4th\) "15W"/],
    ['0 0 0 * * 5L', /day of week field \(6th\) "5L"/],
    ['0 0 0 * * 1#2', /day of week field \(6th\) "1#2"/],
    ['0 H * * * *', /minutes field \(2nd\) "H"/],
    ['0 0 0 * * 7', /day of week field \(6th\) "7": 7 is above the maximum 6 \(Sunday is 0\)/],
    ['0 0 0 0 * *', /day of month field \(4th\) "0": 0 is below the minimum 1/],
    ['0 0 0 * 0 *', /month field \(5th\) "0": 0 is below the minimum 1/],
    ['0 0 0 * 13 *', /month field \(5th\) "13"/],
    ['0 */0 * * * *', /minutes field \(2nd\) "\*\/0": the step .* must be a positive number/],
    ['0 5-1 * * * *', /minutes field \(2nd\) "5-1": the range "5-1" starts after it ends/],
    ['0 1-2-3 * * * *', /minutes field \(2nd\) "1-2-3": "1-2-3" has more than one -/],
    ['0 */5/2 * * * *', /more than one \//],
    ['0 1,,2 * * * *', /minutes field \(2nd\) "1,,2": an empty list item/],
    [
      '0 0 0 * * monday',
      /day of week field \(6th\) "monday": "monday" is not a number or a name \(sun, mon, tue, \.\.\.\)/,
    ],
    ['0 0 0 * january *', /month field \(5th\) "january"/],
    ['0 +5 * * * *', /minutes field \(2nd\) "\+5"/],
    ['TZ=UTC 0 0 * * * *', /6 fields/],
    ['@every 1h', /6 fields/],
  ];
  for (const [cron, message] of refused) assert.match(cronProblem(cron) ?? 'accepted', message, cron);
  for (const cron of [
    '0 0 0 ? * MON-FRI',
    '0 0 0 1 jan,JUL *',
    '0 5/15 * * * *',
    '0 0-30/10 9-17 * * 1-5',
    '0 0 0 1,15 * ?',
    '0 59 23 31 12 6',
  ]) {
    assert.equal(cronProblem(cron), undefined, cron);
  }
  assert.deepEqual(
    nextRunTimes('0 0 0 ? * mon', new Date('2025-03-10T10:00:00Z'), 1).map((d) => d.toISOString()),
    ['2025-03-17T00:00:00.000Z'],
    '? is any day, as in robfig',
  );
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
