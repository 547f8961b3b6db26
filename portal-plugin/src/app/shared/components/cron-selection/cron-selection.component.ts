import { Component, Input, forwardRef } from '@angular/core';
import { ControlValueAccessor, NG_VALUE_ACCESSOR } from '@angular/forms';
import { CRON_PRESET_NAMES, CronPreset, cronOfPreset, presetOfCron } from '../../units/policy-form';

/**
 * Schedule picker modeled on Harbor's `cron-selection`: Hourly / Daily / Weekly presets, or a Custom
 * 6-field cron (seconds first, always 0). The form control holds the cron string exactly as typed; the
 * form's validator says what is wrong with it (a 5-field entry is told to add the seconds).
 */
@Component({
  selector: 'hp-cron-selection',
  templateUrl: './cron-selection.component.html',
  styleUrls: ['./cron-selection.component.scss'],
  standalone: false,
  providers: [{ provide: NG_VALUE_ACCESSOR, useExisting: forwardRef(() => CronSelectionComponent), multi: true }],
})
export class CronSelectionComponent implements ControlValueAccessor {
  @Input() invalid = false;
  readonly presets = CRON_PRESET_NAMES;
  preset: CronPreset = 'Daily';
  custom = '';
  disabled = false;

  private onChange: (value: string) => void = () => {};
  private onTouched: () => void = () => {};

  get cron(): string {
    return cronOfPreset(this.preset, this.custom);
  }

  writeValue(value: string | null): void {
    this.preset = value ? presetOfCron(value) : 'Daily';
    this.custom = value ?? '';
  }

  registerOnChange(fn: (value: string) => void): void {
    this.onChange = fn;
  }

  registerOnTouched(fn: () => void): void {
    this.onTouched = fn;
  }

  setDisabledState(disabled: boolean): void {
    this.disabled = disabled;
  }

  presetChange(preset: CronPreset): void {
    this.preset = preset;
    // Custom starts from what the preset was, so editing a daily schedule is one small change.
    if (preset === 'Custom' && !this.custom) this.custom = cronOfPreset('Daily');
    this.emit();
  }

  customChange(value: string): void {
    this.custom = value;
    this.emit();
  }

  private emit(): void {
    this.onChange(this.cron);
    this.onTouched();
  }
}
