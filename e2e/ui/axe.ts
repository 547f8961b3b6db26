/**
 * Accessibility checks with axe-core (Deque's rule engine, the one browser audits use): the library is
 * injected into the page and run on the whole document. Critical and serious violations fail the test;
 * every check is also counted per page so a run can print the totals.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import type { AxeResults, ImpactValue } from 'axe-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export const BLOCKING_IMPACTS: ImpactValue[] = ['critical', 'serious'];

export interface AxeViolation {
  rule: string;
  impact: ImpactValue | undefined;
  help: string;
  /** How many elements break the rule. */
  nodes: number;
  /** CSS selectors of the offending elements (at most a few). */
  targets: string[];
}

export interface AxeCount {
  page: string;
  critical: number;
  serious: number;
  moderate: number;
  minor: number;
}

/** Every page checked in this process, in order: what the test run prints at its end. */
export const axeCounts: AxeCount[] = [];

/** Runs axe-core on the page as it is now and answers every violation, whatever its impact. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE });
  const results = (await page.evaluate(() =>
    (window as unknown as { axe: { run(ctx: Document, o: object): Promise<unknown> } }).axe.run(document, {
      resultTypes: ['violations'],
    }),
  )) as AxeResults;
  return results.violations.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.length,
    targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
  }));
}

/** Counts the page's violations (recorded in `axeCounts`) and throws on any critical or serious one. */
export async function assertAccessible(page: Page, label: string): Promise<AxeViolation[]> {
  const violations = await axeViolations(page);
  const count = (impact: ImpactValue) => violations.filter((v) => v.impact === impact).reduce((n, v) => n + v.nodes, 0);
  axeCounts.push({
    page: label,
    critical: count('critical'),
    serious: count('serious'),
    moderate: count('moderate'),
    minor: count('minor'),
  });
  const blocking = violations.filter((v) => BLOCKING_IMPACTS.includes(v.impact ?? null));
  if (blocking.length) {
    const lines = blocking.map((v) => `  ${v.impact} ${v.rule}: ${v.help}\n    ${v.targets.join('\n    ')}`);
    throw new Error(`${label}: ${blocking.length} critical/serious accessibility violation(s)\n${lines.join('\n')}`);
  }
  return violations;
}

/** One line per checked page plus the totals, for the test log. */
export function axeReport(): string {
  const total = { critical: 0, serious: 0, moderate: 0, minor: 0 };
  const lines = axeCounts.map((c) => {
    total.critical += c.critical;
    total.serious += c.serious;
    total.moderate += c.moderate;
    total.minor += c.minor;
    return `axe: ${c.page}: critical ${c.critical}, serious ${c.serious}, moderate ${c.moderate}, minor ${c.minor}`;
  });
  lines.push(
    `axe: ${axeCounts.length} pages: critical ${total.critical}, serious ${total.serious}, moderate ${total.moderate}, minor ${total.minor}`,
  );
  return lines.join('\n');
}
