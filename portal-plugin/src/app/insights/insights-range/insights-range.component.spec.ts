import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { TranslateModule, TranslateService } from '@ngx-translate/core';
import { SharedModule } from '../../shared/shared.module';
import { useEnglish } from '../../shared/testing/testing';
import { InsightsRangeComponent } from './insights-range.component';

@Component({
  template: `<hp-insights-range [days]="days" (daysChange)="days = $event"></hp-insights-range>`,
  standalone: false,
})
class HostComponent {
  days = 30;
}

describe('InsightsRangeComponent', () => {
  it('presses the button of the period shown and reports the one chosen', () => {
    TestBed.configureTestingModule({
      declarations: [InsightsRangeComponent, HostComponent],
      imports: [SharedModule, TranslateModule.forRoot()],
    });
    useEnglish(TestBed.inject(TranslateService));
    const fixture = TestBed.createComponent(HostComponent);
    fixture.detectChanges();
    const el: HTMLElement = fixture.nativeElement;
    const pressed = () =>
      Array.from(el.querySelectorAll('button[aria-pressed="true"]')).map((b) => b.textContent!.trim());

    expect(el.querySelector('[role="group"]')!.getAttribute('aria-label')).toBe('Period');
    expect(Array.from(el.querySelectorAll('button')).map((b) => b.id)).toEqual(['range-7', 'range-30', 'range-90']);
    expect(pressed()).toEqual(['Last 30 days']);

    el.querySelector<HTMLButtonElement>('#range-7')!.click();
    fixture.detectChanges();
    expect(fixture.componentInstance.days).toBe(7);
    expect(pressed()).toEqual(['Last 7 days']);
    expect(el.querySelector('#range-7')!.classList).toContain('btn-primary');
    expect(el.querySelector('#range-30')!.classList).toContain('btn-outline');
  });
});
