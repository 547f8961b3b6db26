import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { NoopAnimationsModule } from '@angular/platform-browser/animations';
import { provideRouter } from '@angular/router';
import { TranslateModule, TranslateService } from '@ngx-translate/core';
import type { SystemInsights } from '../../api/models';
import { SessionService } from '../../shared/services/session.service';
import { useEnglish } from '../../shared/testing/testing';
import { InsightsSharedModule } from '../insights-shared.module';
import { SystemInsightsComponent } from './system-insights.component';

const zero = { Critical: 0, High: 0, Medium: 0, Low: 0, Negligible: 0, Unknown: 0, None: 0 };
const BODY: SystemInsights = {
  from: '2026-02-01',
  to: '2026-03-02',
  bucket: 'day',
  generated_at: '2026-03-02T10:00:00Z',
  totals: {
    tasks: 3,
    succeeded: 2,
    skipped: 1,
    failed: 0,
    stopped: 0,
    fixed_cves: 5,
    fixable_before: zero,
    fixable_after: zero,
  },
  outcomes: [{ period: '2026-03-01', succeeded: 2, skipped: 1, failed: 0, stopped: 0, fixed_cves: 5, by_reason: {} }],
  reasons: [],
  projects: [
    {
      project: 'library',
      tasks: 3,
      succeeded: 2,
      skipped: 1,
      failed: 0,
      stopped: 0,
      fixed_cves: 5,
      last_execution: null,
      fixable_now: 4,
      snapshot_day: '2026-03-02',
    },
    {
      project: 'web',
      tasks: 0,
      succeeded: 0,
      skipped: 0,
      failed: 0,
      stopped: 0,
      fixed_cves: 0,
      last_execution: null,
      fixable_now: null,
      snapshot_day: null,
    },
  ],
  service: {
    slots: 4,
    running: 1,
    queued: 2,
    finished_last_hour: 1,
    tasks_per_hour: 0.5,
    median_task_seconds: 42,
    mean_task_seconds: 50,
  },
};

describe('SystemInsightsComponent', () => {
  function setup(sysadmin: boolean) {
    TestBed.configureTestingModule({
      declarations: [SystemInsightsComponent],
      imports: [InsightsSharedModule, NoopAnimationsModule, TranslateModule.forRoot()],
      providers: [provideHttpClient(), provideHttpClientTesting(), provideRouter([])],
    });
    useEnglish(TestBed.inject(TranslateService));
    spyOnProperty(TestBed.inject(SessionService), 'currentUser').and.returnValue({
      user_id: 1,
      username: sysadmin ? 'admin' : 'alice',
      sysadmin_flag: sysadmin,
    });
    return TestBed.createComponent(SystemInsightsComponent);
  }

  it("shows a system admin the service's load and a row per project", async () => {
    const fixture = setup(true);
    fixture.detectChanges();
    TestBed.inject(HttpTestingController)
      .expectOne((r) => r.url === '/patching/api/v1/insights')
      .flush(BODY);
    fixture.detectChanges();
    await fixture.whenStable();
    fixture.detectChanges();
    const el: HTMLElement = fixture.nativeElement;
    expect(el.querySelector('#figure-slots')!.textContent!.trim()).toBe('1 / 4');
    expect(el.querySelector('#figure-queue')!.textContent!.trim()).toBe('2');
    expect(el.querySelector('#figure-median')!.textContent!.trim()).toBe('42 s');
    const rows = Array.from(el.querySelectorAll('#projects-table tbody tr')).map((r) =>
      r.querySelector('th')!.textContent!.trim(),
    );
    expect(rows).toEqual(['library', 'web']);
    expect(el.querySelector('#projects-table tbody tr:last-child')!.textContent).toContain('no snapshot yet');
    expect(el.querySelector('#chart-outcomes canvas')).not.toBeNull();
  });

  it('asks nothing for others and says who may see it', () => {
    const fixture = setup(false);
    fixture.detectChanges();
    TestBed.inject(HttpTestingController).expectNone(() => true);
    expect(fixture.nativeElement.querySelector('#system-denied').textContent).toContain('system admins');
  });
});
