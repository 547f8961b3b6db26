/**
 * Harbor's cron form: 6 fields, seconds first, seconds must be `0`, evaluated in UTC
 * (robfig/cron v3 with Second|Minute|Hour|Dom|Month|Dow and Harbor's ValidateCronString). Each field is
 * checked against robfig's grammar first, so what Harbor's server refuses is refused here too with the
 * field named: Quartz extensions (`L`, `W`, `#`, `H`), day of week 7, aliases like `@daily` and `TZ=`
 * prefixes. cron-parser then computes the run times.
 */
import { CronExpressionParser } from 'cron-parser';

interface FieldRule {
  name: string;
  ordinal: string;
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTH_NAMES = Object.fromEntries(
  ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((n, i) => [n, i + 1]),
);
const DAY_NAMES = Object.fromEntries(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'].map((n, i) => [n, i]));

/** robfig/cron's bounds and names per field. */
const FIELDS: FieldRule[] = [
  { name: 'seconds', ordinal: '1st', min: 0, max: 59 },
  { name: 'minutes', ordinal: '2nd', min: 0, max: 59 },
  { name: 'hours', ordinal: '3rd', min: 0, max: 23 },
  { name: 'day of month', ordinal: '4th', min: 1, max: 31 },
  { name: 'month', ordinal: '5th', min: 1, max: 12, names: MONTH_NAMES },
  { name: 'day of week', ordinal: '6th', min: 0, max: 6, names: DAY_NAMES },
];

const SYNTAX = 'numbers, ranges a-b, steps */n or a-b/n, lists a,b, * and ?';

/** Why one field breaks robfig's grammar (`list = range {"," range}`, `range = (* | ? | v [- v]) [/ step]`). */
function fieldProblem(field: string, rule: FieldRule): string | undefined {
  const value = (text: string): number | string => {
    const named = rule.names?.[text.toLowerCase()];
    if (named !== undefined) return named;
    if (!/^[0-9]+$/.test(text)) {
      const names = rule.names ? ` or a name (${Object.keys(rule.names).slice(0, 3).join(', ')}, ...)` : '';
      return `"${text}" is not a number${names}; Harbor's cron takes ${SYNTAX}`;
    }
    return Number(text);
  };
  for (const item of field.split(',')) {
    if (item === '') return `an empty list item; Harbor's cron takes ${SYNTAX}`;
    const slashes = item.split('/');
    if (slashes.length > 2) return `"${item}" has more than one /`;
    const [range, stepText] = slashes;
    const bounds = range.split('-');
    if (bounds.length > 2) return `"${item}" has more than one -`;
    let start: number;
    let end: number;
    if (range === '*' || range === '?') {
      [start, end] = [rule.min, rule.max];
    } else {
      const from = value(bounds[0]);
      if (typeof from === 'string') return from;
      const to = bounds.length === 2 ? value(bounds[1]) : stepText !== undefined ? rule.max : from;
      if (typeof to === 'string') return to;
      [start, end] = [from, to];
    }
    if (stepText !== undefined) {
      if (!/^[0-9]+$/.test(stepText) || Number(stepText) === 0)
        return `the step in "${item}" must be a positive number`;
    }
    if (start < rule.min) return `${start} is below the minimum ${rule.min}`;
    if (end > rule.max) {
      const sunday = rule.names === DAY_NAMES ? ' (Sunday is 0)' : '';
      return `${end} is above the maximum ${rule.max}${sunday}`;
    }
    if (start > end) return `the range "${range}" starts after it ends`;
  }
  return undefined;
}

/** Returns a readable problem with the expression, or undefined when it is valid. */
export function cronProblem(cron: string): string | undefined {
  if (typeof cron !== 'string' || cron.trim() === '') return 'a cron expression is required';
  const fields = cron.trim().split(/\s+/);
  if (fields.length === 5) {
    return (
      `Harbor's cron has 6 fields with the seconds first (${FIELDS.map((f) => f.name).join(', ')}); ` +
      `add the seconds: "0 ${fields.join(' ')}"`
    );
  }
  if (fields.length !== 6) {
    return `cron needs 6 fields (${FIELDS.map((f) => f.name).join(', ')}), got ${fields.length}; e.g. "0 0 0 * * *" runs daily at 00:00 UTC`;
  }
  if (fields[0] !== '0') return 'the seconds field (first) must be 0, e.g. "0 0 * * * *" runs hourly';
  for (const [i, rule] of FIELDS.entries()) {
    const problem = fieldProblem(fields[i], rule);
    if (problem) return `the ${rule.name} field (${rule.ordinal}) "${fields[i]}": ${problem}`;
  }
  try {
    CronExpressionParser.parse(forCronParser(cron), { tz: 'UTC' });
  } catch (err) {
    return `not a valid cron expression: ${err instanceof Error ? err.message : String(err)}`;
  }
  return undefined;
}

/** robfig's `?` means `*` in every field. */
function forCronParser(cron: string): string {
  return cron
    .trim()
    .split(/\s+/)
    .map((f) => f.replace(/\?/g, '*'))
    .join(' ');
}

export function isValidCron(cron: string): boolean {
  return cronProblem(cron) === undefined;
}

/** The next `count` run times strictly after `from`, in UTC. Throws on an invalid expression. */
export function nextRunTimes(cron: string, from: Date = new Date(), count = 1): Date[] {
  const problem = cronProblem(cron);
  if (problem) throw new Error(problem);
  const it = CronExpressionParser.parse(forCronParser(cron), { currentDate: from, tz: 'UTC' });
  const out: Date[] = [];
  for (let i = 0; i < count; i++) out.push(it.next().toDate());
  return out;
}

/** The latest run time at or before `at`, in UTC (undefined when there is none). Throws on an invalid expression. */
export function previousRunTime(cron: string, at: Date = new Date()): Date | undefined {
  const problem = cronProblem(cron);
  if (problem) throw new Error(problem);
  const it = CronExpressionParser.parse(forCronParser(cron), {
    currentDate: new Date(at.getTime() + 1),
    tz: 'UTC',
  });
  return it.hasPrev() ? it.prev().toDate() : undefined;
}
