// What an execution did, in words: "3 patched: 1 up to date", "Nothing to patch: 15 outside the repository
// filter". Built from the execution's counts per status, per reason (tasks) and per exclusion reason
// (selection), never from its raw status message, so no reason code reaches the user.
import { Execution } from '../services/patching.models';
import { isReasonCode } from '@harbor-patching/shared/api/reasons';

/** One translated phrase: an i18n key with its parameters. */
export interface Phrase {
  key: string;
  params: Record<string, unknown>;
}

export interface ExecutionOutcome {
  headline: Phrase;
  /** Counts that explain the headline, biggest first ("3 up to date", "1 copa failed"). */
  details: Phrase[];
  /** What the selection left out, when the run has tasks too (else those counts are the details). */
  leftOut: Phrase[];
  /** The service's own sentence, when counts cannot tell what happened (a selection that failed). */
  message: string | null;
}

const phrase = (key: string, params: Record<string, unknown> = {}): Phrase => ({ key, params });

/** "3 up to date" for a reason code; codes this portal does not know yet are counted together. */
export function reasonCounts(byReason: Record<string, number> | null | undefined): Phrase[] {
  const known: Phrase[] = [];
  let other = 0;
  const entries = Object.entries(byReason ?? {})
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  for (const [code, n] of entries) {
    if (isReasonCode(code)) known.push(phrase(`OUTCOME.COUNT.${code}`, { n }));
    else other += n;
  }
  if (other > 0) known.push(phrase('OUTCOME.COUNT.OTHER', { n: other }));
  return known;
}

export function isInProgress(status: string | null | undefined): boolean {
  return status === 'Running' || status === 'Pending';
}

export function executionOutcome(e: Execution): ExecutionOutcome {
  const m = e.metrics;
  const tasks = reasonCounts(m.by_reason);
  const excluded = reasonCounts(e.excluded);
  const view = (headline: Phrase, details: Phrase[] = [], leftOut: Phrase[] = [], message: string | null = null) => ({
    headline,
    details,
    leftOut,
    message,
  });
  if (isInProgress(e.status)) {
    if (m.total === 0) return view(phrase('OUTCOME.SELECTING'));
    const done = m.succeeded + m.failed + m.skipped + m.stopped;
    return view(phrase('OUTCOME.RUNNING', { done, total: m.total }), tasks, excluded);
  }
  if (m.total === 0) {
    // Nothing ran: a selection that failed or was stopped says why in its own sentence.
    if (e.status !== 'Success') return view(phrase('OUTCOME.NOTHING_PATCHED'), [], [], e.status_message || null);
    return view(phrase('OUTCOME.NOTHING_TO_PATCH'), excluded.length ? excluded : [phrase('OUTCOME.NO_ARTIFACTS')]);
  }
  if (m.succeeded > 0) return view(phrase('OUTCOME.PATCHED', { n: m.succeeded }), tasks, excluded);
  if (m.failed > 0 || m.stopped > 0) return view(phrase('OUTCOME.NOTHING_PATCHED'), tasks, excluded);
  return view(phrase('OUTCOME.NOTHING_TO_PATCH'), tasks, excluded);
}

/**
 * Harbor's success rate, over the tasks that tried to patch: skipped tasks had nothing to do and count
 * neither way. Null when no task tried (all skipped, or nothing selected): there is no rate to show.
 */
export function successRate(e: Execution): number | null {
  const m = e.metrics;
  const tried = m.total - m.skipped;
  if (tried > 0) return m.succeeded / tried;
  return isInProgress(e.status) ? 0 : null;
}
