import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { ActivatedRoute, provideRouter } from '@angular/router';
import { TranslateModule, TranslateService } from '@ngx-translate/core';
import { SharedModule } from '../../../shared/shared.module';
import { executionOf, projectContext, routeStub, useEnglish } from '../../../shared/testing/testing';
import { ExecutionReportComponent } from './execution-report.component';

const zero = { Critical: 0, High: 0, Medium: 0, Low: 0, Negligible: 0, Unknown: 0, None: 0 };

describe('ExecutionReportComponent', () => {
  it('lists each artifact with its counts before and after and the fixed CVEs, with a CSV link', async () => {
    TestBed.configureTestingModule({
      declarations: [ExecutionReportComponent],
      imports: [SharedModule, TranslateModule.forRoot()],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: ActivatedRoute, useValue: routeStub(projectContext(), { execution: '7' }) },
      ],
    });
    useEnglish(TestBed.inject(TranslateService));
    const fixture = TestBed.createComponent(ExecutionReportComponent);
    fixture.detectChanges();
    TestBed.inject(HttpTestingController)
      .expectOne('/patching/api/v1/projects/library/executions/7/report')
      .flush({
        execution: executionOf('Success', { total: 2, succeeded: 1, skipped: 1 }),
        rows: [
          {
            task_id: 1,
            repository: 'team/web',
            tag: '1.0',
            source_digest: 'sha256:1',
            status: 'Success',
            reason: null,
            patched_tag: '1.0-patched',
            patched_digest: 'sha256:2',
            before: { ...zero, High: 3 },
            after: { ...zero, High: 1 },
            fixable_before: 2,
            fixable_after: 0,
            fixed_cves: ['CVE-1', 'CVE-2'],
            end_time: '2026-01-01T00:01:00Z',
          },
          {
            task_id: 2,
            repository: 'app',
            tag: '2.0',
            source_digest: 'sha256:3',
            status: 'Skipped',
            reason: 'UP_TO_DATE',
            patched_tag: null,
            patched_digest: null,
            before: null,
            after: null,
            fixable_before: null,
            fixable_after: null,
            fixed_cves: [],
            end_time: '2026-01-01T00:01:00Z',
          },
        ],
      });
    fixture.detectChanges();
    await fixture.whenStable();
    const el: HTMLElement = fixture.nativeElement;
    const rows = Array.from(el.querySelectorAll('#report-table tbody tr')).map((r) =>
      Array.from(r.querySelectorAll('th, td')).map((c) => c.textContent!.replace(/\s+/g, ' ').trim()),
    );
    expect(rows[0]).toEqual([
      'team/web:1.0 → 1.0-patched',
      'Success',
      '2 → 0',
      '0 → 0',
      '3 → 1',
      '0 → 0',
      '0 → 0',
      'CVE-1, CVE-2',
    ]);
    expect(rows[1][1]).toBe('Skipped (UP_TO_DATE)');
    expect(rows[1][2]).toBe('– → –');
    expect(el.querySelector('#report-summary')!.textContent).toContain('2 fixed CVEs');
    expect(el.querySelector('#report-csv')!.getAttribute('href')).toBe(
      '/patching/api/v1/projects/library/executions/7/report?format=csv',
    );
  });
});
