// Turns the insights API's answer into what the charts and tables show; shared by the project overview
// and the system view.
import type { TranslateService } from '@ngx-translate/core';
import type { ChartSeries } from './insights-chart/insights-chart.component';
import { SEVERITIES, SEVERITY_COLOURS } from './insights.service';
import type { InsightTotals, OutcomePeriod, ReasonCount, SeverityCounts } from '../api/models';

/** Outcome colours as Harbor's job status colours: success green, skipped grey, error red, stopped amber. */
export const OUTCOME_COLOURS = { succeeded: '#3c8500', skipped: '#8c8c8c', failed: '#c21d00', stopped: '#c25400' };

export function severityLabels(t: TranslateService): string[] {
  return SEVERITIES.map((s) => t.instant(`SEVERITY.${s.toUpperCase()}`));
}

export function severityValues(counts: SeverityCounts | null | undefined): number[] {
  return SEVERITIES.map((s) => counts?.[s] ?? 0);
}

export const severityColours = (): string[] => SEVERITIES.map((s) => SEVERITY_COLOURS[s]);

export function outcomeSeries(t: TranslateService, outcomes: OutcomePeriod[]): ChartSeries[] {
  return [
    { label: t.instant('STATUS.SUCCESS'), values: outcomes.map((o) => o.succeeded), color: OUTCOME_COLOURS.succeeded },
    {
      label: t.instant('STATUS.SKIPPED'),
      values: outcomes.map((o) => o.skipped),
      color: OUTCOME_COLOURS.skipped,
      dashed: true,
    },
    { label: t.instant('STATUS.ERROR'), values: outcomes.map((o) => o.failed), color: OUTCOME_COLOURS.failed },
    {
      label: t.instant('STATUS.STOPPED'),
      values: outcomes.map((o) => o.stopped),
      color: OUTCOME_COLOURS.stopped,
      dashed: true,
    },
  ];
}

export function fixedSeries(t: TranslateService, outcomes: OutcomePeriod[]): ChartSeries[] {
  return [{ label: t.instant('INSIGHTS.CVE_FIXES'), values: outcomes.map((o) => o.fixed_cves), color: '#0072a3' }];
}

/** Patching's effect per severity: fixable vulnerabilities of the patched images before and after. */
export function beforeAfterSeries(t: TranslateService, totals: InsightTotals): ChartSeries[] {
  return [
    {
      label: t.instant('INSIGHTS.BEFORE_PATCHING'),
      values: severityValues(totals.fixable_before),
      color: severityColours(),
      dashed: true,
    },
    {
      label: t.instant('INSIGHTS.AFTER_PATCHING'),
      values: severityValues(totals.fixable_after),
      color: severityColours(),
    },
  ];
}

/** A reason row in plain words ("3 up to date"), or the code for a reason this portal does not know. */
export function reasonText(t: TranslateService, r: ReasonCount): string {
  const key = `OUTCOME.COUNT.${r.reason}`;
  const text = t.instant(key, { n: r.count });
  return text === key ? t.instant('OUTCOME.COUNT.OTHER', { n: r.count }) + ` (${r.reason})` : text;
}
