import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { TranslateModule, TranslateService } from '@ngx-translate/core';
import { SharedModule } from '../../shared/shared.module';
import { useEnglish } from '../../shared/testing/testing';
import { InsightsChartComponent } from '../insights-chart/insights-chart.component';
import { ChartCardComponent } from './chart-card.component';

@Component({
  template: `<hp-chart-card
    chartId="chart-test"
    caption="CVEs fixed by patching"
    categoryHeader="Day"
    [labels]="['2026-03-01']"
    [series]="[{ label: 'Fixed', values: [4], color: '#0072a3' }]"
    [empty]="empty"
  >
    <p empty id="test-empty">Nothing patched yet.</p>
    <p id="test-hint">A hint.</p>
  </hp-chart-card>`,
  standalone: false,
})
class HostComponent {
  empty = false;
}

describe('ChartCardComponent', () => {
  function setup(empty: boolean) {
    TestBed.configureTestingModule({
      declarations: [ChartCardComponent, InsightsChartComponent, HostComponent],
      imports: [SharedModule, TranslateModule.forRoot()],
    });
    useEnglish(TestBed.inject(TranslateService));
    const fixture = TestBed.createComponent(HostComponent);
    fixture.componentInstance.empty = empty;
    fixture.detectChanges();
    return fixture.nativeElement.querySelector('hp-chart-card') as HTMLElement;
  }

  it('draws the chart in a card, with the content that always follows', () => {
    const card = setup(false);
    expect(card.classList).toContain('card');
    expect(card.classList).toContain('chart-card');
    expect(card.querySelector('figure#chart-test .chart-title')!.textContent!.trim()).toBe('CVEs fixed by patching');
    expect(Array.from(card.querySelectorAll('#chart-test-table tbody td')).map((c) => c.textContent!.trim())).toEqual([
      '4',
    ]);
    expect(card.querySelector('#test-empty')).toBeNull();
    expect(card.querySelector('#test-hint')).not.toBeNull();
  });

  it('keeps the title and shows the empty content instead of an empty chart', () => {
    const card = setup(true);
    expect(card.querySelector('figure')).toBeNull();
    expect(card.querySelector('h3.card-title')!.textContent!.trim()).toBe('CVEs fixed by patching');
    expect(card.querySelector('#test-empty')!.textContent!.trim()).toBe('Nothing patched yet.');
    expect(card.querySelector('#test-hint')).not.toBeNull();
  });
});
