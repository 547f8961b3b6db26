import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { TranslateModule, TranslateService } from '@ngx-translate/core';
import type { InsightTotals, OutcomePeriod } from '../../api/models';
import { SharedModule } from '../../shared/shared.module';
import { useEnglish } from '../../shared/testing/testing';
import { ChartCardComponent } from '../chart-card/chart-card.component';
import { InsightsChartComponent } from '../insights-chart/insights-chart.component';
import { OutcomeChartsComponent } from './outcome-charts.component';

const zero = { Critical: 0, High: 0, Medium: 0, Low: 0, Negligible: 0, Unknown: 0, None: 0 };
const TOTALS: InsightTotals = {
  tasks: 2,
  succeeded: 0,
  skipped: 2,
  failed: 0,
  stopped: 0,
  fixed_cves: 0,
  fixable_before: zero,
  fixable_after: zero,
};
const OUTCOMES: OutcomePeriod[] = [
  { period: '2026-03-01', succeeded: 0, skipped: 2, failed: 0, stopped: 0, fixed_cves: 0, by_reason: {} },
];

@Component({
  template: `<div class="charts">
    <hp-outcome-charts [totals]="totals" [outcomes]="outcomes" bucket="day" [explainEmpty]="explainEmpty">
      <p fixed-empty id="test-fixed-empty">Nothing patched.</p>
    </hp-outcome-charts>
  </div>`,
  standalone: false,
})
class HostComponent {
  totals = TOTALS;
  outcomes = OUTCOMES;
  explainEmpty = false;
}

describe('OutcomeChartsComponent', () => {
  function setup(explainEmpty: boolean): HTMLElement {
    TestBed.configureTestingModule({
      declarations: [OutcomeChartsComponent, ChartCardComponent, InsightsChartComponent, HostComponent],
      imports: [SharedModule, TranslateModule.forRoot()],
    });
    useEnglish(TestBed.inject(TranslateService));
    const fixture = TestBed.createComponent(HostComponent);
    fixture.componentInstance.explainEmpty = explainEmpty;
    fixture.detectChanges();
    return fixture.nativeElement;
  }

  it('draws the three charts, days as the rows of the period charts', () => {
    const el = setup(false);
    expect(Array.from(el.querySelectorAll('figure')).map((f) => f.id)).toEqual([
      'chart-fixed',
      'chart-outcomes',
      'chart-before-after',
    ]);
    expect(el.querySelector('#chart-outcomes-table thead th')!.textContent!.trim()).toBe('Day');
    expect(el.querySelector('#chart-outcomes-table tbody th')!.textContent!.trim()).toBe('2026-03-01');
    expect(el.querySelector('#test-fixed-empty')).toBeNull();
  });

  it('explains a chart with nothing to draw instead of drawing it', () => {
    const el = setup(true);
    expect(Array.from(el.querySelectorAll('figure')).map((f) => f.id)).toEqual(['chart-outcomes']);
    expect(el.querySelector('#test-fixed-empty')!.textContent!.trim()).toBe('Nothing patched.');
    expect(el.querySelector('#empty-outcomes')).toBeNull();
  });
});
