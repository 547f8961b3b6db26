/**
 * Harbor's cron form: 6 fields, seconds first, seconds must be `0`, evaluated in UTC
 * (robfig/cron with a seconds field; Harbor's ValidateCronString). Aliases like `@daily` are refused
 * because Harbor's server refuses them.
 */
import { CronExpressionParser } from 'cron-parser';

const FIELD_NAMES = ['seconds', 'minutes', 'hours', 'day of month', 'month', 'day of week'];

/** Returns a readable problem with the expression, or undefined when it is valid. */
export function cronProblem(cron: string): string | undefined {
  if (typeof cron !== 'string' || cron.trim() === '') return 'a cron expression is required';
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 6) {
    return `cron needs 6 fields (${FIELD_NAMES.join(', ')}), got ${fields.length}; e.g. "0 0 0 * * *" runs daily at 00:00 UTC`;
  }
  if (fields[0] !== '0') return 'the seconds field (first) must be 0, e.g. "0 0 * * * *" runs hourly';
  try {
    CronExpressionParser.parse(fields.join(' '), { tz: 'UTC' });
  } catch (err) {
    return `not a valid cron expression: ${err instanceof Error ? err.message : String(err)}`;
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
