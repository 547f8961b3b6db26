import { TestBed } from '@angular/core/testing';
import { TranslateModule, TranslateService } from '@ngx-translate/core';
import { SharedModule } from '../../shared/shared.module';
import { useEnglish } from '../../shared/testing/testing';
import { InsightsChartComponent } from './insights-chart.component';

describe('InsightsChartComponent', () => {
  async function setup() {
    TestBed.configureTestingModule({
      declarations: [InsightsChartComponent],
      imports: [SharedModule, TranslateModule.forRoot()],
    });
    useEnglish(TestBed.inject(TranslateService));
    const fixture = TestBed.createComponent(InsightsChartComponent);
    const chart = fixture.componentInstance;
    chart.chartId = 'chart-test';
    chart.caption = 'CVEs fixed by patching';
    chart.categoryHeader = 'Day';
    chart.labels = ['2026-03-01', '2026-03-02'];
    chart.series = [
      { label: 'Before', values: [3, 9], color: '#e62700', dashed: true },
      { label: 'After', values: [0, 1], color: '#007cbb' },
    ];
    fixture.detectChanges();
    await fixture.whenStable();
    return fixture;
  }

  it('draws the chart as a picture named by its caption, and keeps the numbers in a table', async () => {
    const fixture = await setup();
    const el: HTMLElement = fixture.nativeElement;
    const canvas = el.querySelector('canvas')!;
    expect(canvas.getAttribute('role')).toBe('img');
    expect(canvas.getAttribute('aria-label')).toContain('CVEs fixed by patching');
    const rows = Array.from(el.querySelectorAll('tbody tr')).map((tr) =>
      Array.from(tr.querySelectorAll('th, td')).map((c) => c.textContent!.trim()),
    );
    expect(rows).toEqual([
      ['2026-03-01', '3', '0'],
      ['2026-03-02', '9', '1'],
    ]);
    expect(Array.from(el.querySelectorAll('thead th')).map((c) => c.textContent!.trim())).toEqual([
      'Day',
      'Before',
      'After',
    ]);
  });

  it('shows and hides the table with a button that says what it does', async () => {
    const fixture = await setup();
    const el: HTMLElement = fixture.nativeElement;
    const toggle = el.querySelector<HTMLButtonElement>('#chart-test-toggle')!;
    const table = el.querySelector('#chart-test-table')!;
    expect(toggle.textContent!.trim()).toBe('Show as table');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(table.classList).not.toContain('shown');
    toggle.click();
    fixture.detectChanges();
    expect(toggle.textContent!.trim()).toBe('Hide table');
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(table.classList).toContain('shown');
  });

  it('gives a second cue besides colour: dashed series, no animation', async () => {
    const fixture = await setup();
    const config = fixture.componentInstance.config();
    const datasets = config.data.datasets as { borderDash?: number[] }[];
    expect(datasets[0].borderDash).toEqual([6, 4]);
    expect(datasets[1].borderDash).toEqual([]);
    expect(config.options?.animation).toBe(false);
  });
});
