/**
 * Harbor's cron form: 6 fields, seconds first, seconds must be `0`, evaluated in UTC
 * (robfig/cron with a seconds field; Harbor's ValidateCronString). Aliases like `@daily` are refused
 * because Harbor's server refuses them.
 */
import { CronExpressionParser } from 'cron-parser';

/** Harbor's fields in order, with what each accepts (for messages that name the field at fault). */
const FIELDS = [
  { name: 'seconds', position: '1st', accepts: '0' },
  { name: 'minutes', position: '2nd', accepts: 'minutes go from 0 to 59' },
  { name: 'hours', position: '3rd', accepts: 'hours go from 0 to 23' },
  { name: 'day of month', position: '4th', accepts: 'days of the month go from 1 to 31' },
  { name: 'month', position: '5th', accepts: 'months go from 1 to 12 (or JAN-DEC)' },
  { name: 'day of week', position: '6th', accepts: 'days of the week go from 0 to 7 (or SUN-SAT, 0 and 7 are Sunday)' },
];
const FORM = 'seconds minutes hours day-of-month month day-of-week';
const SYNTAX = 'use a number, a range (1-5), a list (1,15,30), a step (*/15) or *';

/**
 * Why one field fails, in words: cron-parser's own messages ("Constraint error, got value 61 expected
 * range 0-59") are turned into a sentence that names the field and what it accepts.
 */
function fieldProblem(index: number, value: string, libraryMessage: string): string {
  const field = FIELDS[index];
  const at = `the ${field.name} field (${field.position}) "${value}"`;
  if (/expected range/.test(libraryMessage) || /occurrence number/.test(libraryMessage)) {
    return `${at} is out of range: ${field.accepts}`;
  }
  if (/cannot repeat at every 0/.test(libraryMessage)) return `${at} is not valid: a step (*/n) must be 1 or more`;
  if (/Invalid range/.test(libraryMessage)) return `${at} is not valid: a range goes from low to high, e.g. 1-5`;
  return `${at} is not valid: ${SYNTAX}; ${field.accepts}`;
}

/** Returns a readable problem with the expression, or undefined when it is valid. */
export function cronProblem(cron: string): string | undefined {
  if (typeof cron !== 'string' || cron.trim() === '') return 'a cron expression is required';
  const fields = cron.trim().split(/\s+/);
  if (fields.length === 5) {
    return `Harbor's cron has 6 fields with the seconds first (${FORM}); ` + `add the seconds: "0 ${fields.join(' ')}"`;
  }
  if (fields.length !== 6) {
    return `cron needs 6 fields (${FORM}), got ${fields.length}; e.g. "0 0 0 * * *" runs daily at 00:00 UTC`;
  }
  if (fields[0] !== '0') return 'the seconds field (first) must be 0, e.g. "0 0 * * * *" runs hourly';
  try {
    CronExpressionParser.parse(fields.join(' '), { tz: 'UTC' });
  } catch (err) {
    // Find the field at fault: each field alone, the others left open.
    for (let i = 1; i < fields.length; i++) {
      const probe = fields.map((f, j) => (j === 0 ? '0' : j === i ? f : '*')).join(' ');
      try {
        CronExpressionParser.parse(probe, { tz: 'UTC' });
      } catch (fieldErr) {
        return fieldProblem(i, fields[i], fieldErr instanceof Error ? fieldErr.message : String(fieldErr));
      }
    }
    return `not a valid cron expression (${FORM}): ${SYNTAX}; ${err instanceof Error ? err.message : String(err)}`;
  }
  return undefined;
}

export function isValidCron(cron: string): boolean {
  return cronProblem(cron) === undefined;
}

/** The next `count` run times strictly after `from`, in UTC. Throws on an invalid expression. */
export function nextRunTimes(cron: string, from: Date = new Date(), count = 1): Date[] {
  const problem = cronProblem(cron);
  if (problem) throw new Error(problem);
  const it = CronExpressionParser.parse(cron.trim().split(/\s+/).join(' '), { currentDate: from, tz: 'UTC' });
  const out: Date[] = [];
  for (let i = 0; i < count; i++) out.push(it.next().toDate());
  return out;
}

/** The latest run time at or before `at`, in UTC (undefined when there is none). Throws on an invalid expression. */
export function previousRunTime(cron: string, at: Date = new Date()): Date | undefined {
  const problem = cronProblem(cron);
  if (problem) throw new Error(problem);
  const it = CronExpressionParser.parse(cron.trim().split(/\s+/).join(' '), {
    currentDate: new Date(at.getTime() + 1),
    tz: 'UTC',
  });
  return it.hasPrev() ? it.prev().toDate() : undefined;
}
