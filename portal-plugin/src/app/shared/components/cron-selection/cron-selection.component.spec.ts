import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { FormControl } from '@angular/forms';
import { TranslateModule } from '@ngx-translate/core';
import { SharedModule } from '../../shared.module';

@Component({
  template: '<hp-cron-selection [formControl]="cron"></hp-cron-selection>',
  imports: [SharedModule],
})
class HostComponent {
  cron = new FormControl('0 0 * * * *');
}

describe('CronSelectionComponent', () => {
  beforeEach(() => {
    TestBed.configureTestingModule({
      imports: [HostComponent, TranslateModule.forRoot()],
    });
  });

  async function render() {
    const fixture = TestBed.createComponent(HostComponent);
    fixture.detectChanges();
    await fixture.whenStable();
    fixture.detectChanges();
    return fixture;
  }

  it('shows the preset of the current cron and its cron text', async () => {
    const fixture = await render();
    const select = fixture.nativeElement.querySelector('#cron-preset') as HTMLSelectElement;
    expect(select.value).toBe('Hourly');
    expect(fixture.nativeElement.querySelector('#cron-text').textContent).toContain('0 0 * * * *');
  });

  it("writes the preset's cron into the form control when the preset changes", async () => {
    const fixture = await render();
    const select = fixture.nativeElement.querySelector('#cron-preset') as HTMLSelectElement;
    select.value = 'Weekly';
    select.dispatchEvent(new Event('change'));
    fixture.detectChanges();
    expect(fixture.componentInstance.cron.value).toBe('0 0 0 * * 0');
  });

  it('takes a custom cron exactly as typed, key by key, adding nothing', async () => {
    const fixture = await render();
    const select = fixture.nativeElement.querySelector('#cron-preset') as HTMLSelectElement;
    select.value = 'Custom';
    select.dispatchEvent(new Event('change'));
    fixture.detectChanges();
    const input = fixture.nativeElement.querySelector('#cron-custom') as HTMLInputElement;
    expect(input).not.toBeNull();
    // Typed one key at a time into an emptied field, as a user does.
    input.value = '';
    input.dispatchEvent(new Event('input'));
    for (const key of '5 0 3 * * *') {
      input.value += key;
      input.dispatchEvent(new Event('input'));
      expect(fixture.componentInstance.cron.value).toBe(input.value);
    }
    expect(fixture.componentInstance.cron.value).toBe('5 0 3 * * *');
    input.value = '30 2 * * 1-5';
    input.dispatchEvent(new Event('input'));
    expect(fixture.componentInstance.cron.value).toBe('30 2 * * 1-5');
  });
});
