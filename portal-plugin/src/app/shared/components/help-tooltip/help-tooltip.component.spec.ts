import { TestBed } from '@angular/core/testing';
import { By } from '@angular/platform-browser';
import { ClrIcon } from '@clr/angular';
import { TranslateModule, TranslateService } from '@ngx-translate/core';
import { SharedModule } from '../../shared.module';
import { useEnglish } from '../../testing/testing';
import { HelpTooltipComponent } from './help-tooltip.component';
import { RefreshButtonComponent } from '../refresh-button/refresh-button.component';

describe('HelpTooltipComponent and RefreshButtonComponent', () => {
  beforeEach(() => {
    TestBed.configureTestingModule({ imports: [SharedModule, TranslateModule.forRoot()] });
    useEnglish(TestBed.inject(TranslateService));
  });

  it('is a named button showing the chosen icon', () => {
    const fixture = TestBed.createComponent(HelpTooltipComponent);
    fixture.componentRef.setInput('text', 'Full description, as typed');
    fixture.componentRef.setInput('label', 'POLICY.FULL_DESCRIPTION');
    fixture.componentRef.setInput('literal', true);
    fixture.componentRef.setInput('shape', 'ellipsis-horizontal');
    fixture.detectChanges();
    const button = fixture.nativeElement.querySelector('button') as HTMLButtonElement;
    expect(button.getAttribute('aria-label')).toBe('Show the full description');
    expect(fixture.debugElement.query(By.directive(ClrIcon)).componentInstance.shape).toBe('ellipsis-horizontal');
  });

  it('refreshes from a named button', () => {
    const fixture = TestBed.createComponent(RefreshButtonComponent);
    fixture.componentRef.setInput('buttonId', 'refresh-things');
    let refreshed = 0;
    fixture.componentInstance.refresh.subscribe(() => refreshed++);
    fixture.detectChanges();
    const button = fixture.nativeElement.querySelector('#refresh-things') as HTMLButtonElement;
    expect(button.getAttribute('aria-label')).toBe('Refresh');
    button.click();
    expect(refreshed).toBe(1);
  });
});
