import { TestBed } from '@angular/core/testing';
import { TranslateModule, TranslateService } from '@ngx-translate/core';
import { SharedModule } from '../../shared/shared.module';
import { useEnglish } from '../../shared/testing/testing';
import { InsightsFiguresComponent } from './insights-figures.component';

describe('InsightsFiguresComponent', () => {
  it('shows each figure under its id, with its translated label', () => {
    TestBed.configureTestingModule({
      declarations: [InsightsFiguresComponent],
      imports: [SharedModule, TranslateModule.forRoot()],
    });
    useEnglish(TestBed.inject(TranslateService));
    const fixture = TestBed.createComponent(InsightsFiguresComponent);
    fixture.componentInstance.figures = [
      { id: 'figure-fixed', label: 'INSIGHTS.FIGURE_FIXED', value: 5 },
      { id: 'figure-fixable-now', label: 'INSIGHTS.FIGURE_FIXABLE_NOW', labelParams: { n: 2 }, value: 7 },
    ];
    fixture.detectChanges();
    const el: HTMLElement = fixture.nativeElement;
    expect(el.classList).toContain('figures');
    const cards = Array.from(el.querySelectorAll('.figure-card')).map((c) => [
      c.querySelector('.figure')!.id,
      c.querySelector('.figure')!.textContent!.trim(),
      c.querySelector('.figure-label')!.textContent!.trim(),
    ]);
    const en = TestBed.inject(TranslateService);
    expect(cards).toEqual([
      ['figure-fixed', '5', en.instant('INSIGHTS.FIGURE_FIXED')],
      ['figure-fixable-now', '7', en.instant('INSIGHTS.FIGURE_FIXABLE_NOW', { n: 2 })],
    ]);
    expect(cards[1][2]).toContain('2');
  });
});
