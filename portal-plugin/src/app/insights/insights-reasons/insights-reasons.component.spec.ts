import { TestBed } from '@angular/core/testing';
import { TranslateModule, TranslateService } from '@ngx-translate/core';
import { SharedModule } from '../../shared/shared.module';
import { useEnglish } from '../../shared/testing/testing';
import { InsightsReasonsComponent } from './insights-reasons.component';

describe('InsightsReasonsComponent', () => {
  it('lists each reason in plain words, errors marked, unknown codes kept', () => {
    TestBed.configureTestingModule({
      declarations: [InsightsReasonsComponent],
      imports: [SharedModule, TranslateModule.forRoot()],
    });
    useEnglish(TestBed.inject(TranslateService));
    const fixture = TestBed.createComponent(InsightsReasonsComponent);
    fixture.componentInstance.reasons = [
      { status: 'Skipped', reason: 'UP_TO_DATE', count: 3 },
      { status: 'Error', reason: 'SOMETHING_NEW', count: 1 },
    ];
    fixture.detectChanges();
    const items = Array.from<HTMLElement>(fixture.nativeElement.querySelectorAll('li'));
    expect(items.map((li) => li.textContent!.replace(/\s+/g, ' ').trim())).toEqual([
      'Skipped 3 up to date',
      'Error 1 for another reason (SOMETHING_NEW)',
    ]);
    expect(items[0].querySelector('.label')!.classList).not.toContain('label-danger');
    expect(items[1].querySelector('.label')!.classList).toContain('label-danger');
  });
});
