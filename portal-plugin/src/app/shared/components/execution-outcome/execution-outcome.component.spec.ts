import { TestBed } from '@angular/core/testing';
import { TranslateModule, TranslateService } from '@ngx-translate/core';
import { SharedModule } from '../../shared.module';
import { executionOf, useEnglish } from '../../testing/testing';
import { Execution } from '../../services/patching.models';
import { ExecutionOutcomeComponent } from './execution-outcome.component';
import { successRate } from '../../units/execution-outcome';

/** No reason code (UP_TO_DATE, FILTERED_REPOSITORY, ...) ever reaches the text. */
const RAW_CODE = /\b[A-Z]{2,}_[A-Z_]+\b/;

describe('ExecutionOutcomeComponent', () => {
  beforeEach(() => {
    TestBed.configureTestingModule({ imports: [SharedModule, TranslateModule.forRoot()] });
    useEnglish(TestBed.inject(TranslateService));
  });

  function text(execution: Execution, showLeftOut = false): string {
    const fixture = TestBed.createComponent(ExecutionOutcomeComponent);
    fixture.componentInstance.execution = execution;
    fixture.componentInstance.showLeftOut = showLeftOut;
    fixture.detectChanges();
    const out = (fixture.nativeElement.textContent as string).replace(/\s+/g, ' ').replace(/ ,/g, ',').trim();
    fixture.destroy();
    return out;
  }

  it('says an execution whose tasks were all skipped had nothing to patch, and why', () => {
    const e = executionOf('Success', { total: 3, skipped: 3, by_reason: { UP_TO_DATE: 3 } });
    expect(text(e)).toBe('Nothing to patch: 3 up to date');
    expect(successRate(e)).toBeNull();
  });

  it('says a run that selected nothing had nothing to patch, with what the selection left out in words', () => {
    const e = executionOf('Success', { total: 0 }, { excluded: { FILTERED_REPOSITORY: 15, NOTHING_FIXABLE: 2 } });
    const shown = text(e);
    expect(shown).toBe('Nothing to patch: 15 outside the repository filter, 2 with no fix available');
    expect(shown).not.toMatch(RAW_CODE);
    expect(successRate(e)).toBeNull();
    expect(text(executionOf('Success', { total: 0 }))).toBe('Nothing to patch: the project has no artifacts');
  });

  it('counts what was patched, and on the tasks page also what the selection left out', () => {
    const e = executionOf(
      'Error',
      { total: 4, succeeded: 2, skipped: 1, failed: 1, by_reason: { UP_TO_DATE: 1, COPA_FAILED: 1 } },
      { excluded: { FILTERED_TAG: 3 } },
    );
    expect(text(e)).toBe('2 patched: 1 failed in copa, 1 up to date');
    expect(text(e, true)).toBe(
      '2 patched: 1 failed in copa, 1 up to date Left out by the selection: 3 outside the tag filter',
    );
    expect(successRate(e)).toBeCloseTo(2 / 3);
  });

  it('says nothing was patched when tasks failed or were stopped, and counts a code it does not know as another reason', () => {
    const e = executionOf('Stopped', { total: 2, stopped: 1, failed: 1, by_reason: { STOPPED: 1, SOMETHING_NEW: 1 } });
    const shown = text(e);
    expect(shown).toBe('Nothing patched: 1 stopped, 1 for another reason');
    expect(shown).not.toMatch(RAW_CODE);
  });

  it("shows the service's sentence when a run ended before it had tasks, and progress while it runs", () => {
    const failed = executionOf('Error', { total: 0 }, { status_message: 'Selecting the artifacts failed: boom' });
    expect(text(failed)).toBe('Nothing patched: Selecting the artifacts failed: boom');
    expect(text(executionOf('Running', { total: 0 }))).toBe('Selecting the artifacts to patch');
    expect(text(executionOf('Running', { total: 3, succeeded: 1, running: 2 }))).toBe('1 of 3 done');
  });
});
