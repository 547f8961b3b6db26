import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { NoopAnimationsModule } from '@angular/platform-browser/animations';
import { ActivatedRoute, Router, provideRouter } from '@angular/router';
import { TranslateModule, TranslateService } from '@ngx-translate/core';
import type { ProjectInsights } from '../../../api/models';
import { InsightsSharedModule } from '../../../insights/insights-shared.module';
import { projectContext, routeStub, useEnglish } from '../../../shared/testing/testing';
import { ProjectOverviewComponent } from './project-overview.component';

const zero = { Critical: 0, High: 0, Medium: 0, Low: 0, Negligible: 0, Unknown: 0, None: 0 };

function insights(overrides: Partial<ProjectInsights> = {}): ProjectInsights {
  return {
    project: 'library',
    from: '2026-02-01',
    to: '2026-03-02',
    bucket: 'day',
    generated_at: '2026-03-02T10:00:00Z',
    totals: {
      tasks: 4,
      succeeded: 2,
      skipped: 1,
      failed: 1,
      stopped: 0,
      fixed_cves: 7,
      fixable_before: { ...zero, High: 5 },
      fixable_after: { ...zero, High: 1 },
    },
    outcomes: [
      {
        period: '2026-03-01',
        succeeded: 2,
        skipped: 1,
        failed: 0,
        stopped: 0,
        fixed_cves: 7,
        by_reason: { UP_TO_DATE: 1 },
      },
      {
        period: '2026-03-02',
        succeeded: 0,
        skipped: 0,
        failed: 1,
        stopped: 0,
        fixed_cves: 0,
        by_reason: { COPA_FAILED: 1 },
      },
    ],
    reasons: [
      { status: 'Skipped', reason: 'UP_TO_DATE', count: 1 },
      { status: 'Error', reason: 'COPA_FAILED', count: 1 },
    ],
    vulnerabilities: {
      now: {
        day: '2026-03-02',
        taken_at: '2026-03-02T10:00:00Z',
        artifacts: 3,
        total: 20,
        fixable: 6,
        by_severity: { ...zero, High: 4 },
      },
      then: null,
    },
    backlog: {
      severity: 'High',
      repositories: [
        { repository: 'team/web', artifacts: 2, fixable: 6, at_or_above: 4, by_severity: { ...zero, High: 4 } },
      ],
      uncovered: 1,
      covered: 0,
      not_scanned: 0,
      truncated_repositories: 0,
      taken_at: '2026-03-02T10:00:00Z',
    },
    backlog_error: null,
    policies: [],
    ...overrides,
  };
}

describe('ProjectOverviewComponent', () => {
  let backend: HttpTestingController;

  async function setup(body: ProjectInsights, context = projectContext()) {
    TestBed.configureTestingModule({
      declarations: [ProjectOverviewComponent],
      imports: [InsightsSharedModule, NoopAnimationsModule, TranslateModule.forRoot()],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: ActivatedRoute, useValue: routeStub(context) },
      ],
    });
    useEnglish(TestBed.inject(TranslateService));
    backend = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(ProjectOverviewComponent);
    fixture.detectChanges();
    const req = backend.expectOne((r) => r.url === '/patching/api/v1/projects/library/insights');
    expect(req.request.params.get('severity')).toBe('High');
    expect(req.request.params.get('bucket')).toBe('day');
    req.flush(body);
    fixture.detectChanges();
    await fixture.whenStable();
    fixture.detectChanges();
    return fixture;
  }

  const text = (el: HTMLElement, selector: string) => el.querySelector(selector)?.textContent?.trim();

  it('shows the figures, the charts with their tables, the reasons in plain words and the backlog', async () => {
    const fixture = await setup(insights());
    const el: HTMLElement = fixture.nativeElement;
    expect(text(el, '#figure-fixed')).toBe('7');
    expect(text(el, '#figure-patched')).toBe('2');
    expect(text(el, '#figure-fixable-now')).toBe('6');
    for (const id of ['chart-now-then', 'chart-fixed', 'chart-outcomes', 'chart-before-after']) {
      expect(el.querySelector(`#${id} canvas`))
        .withContext(id)
        .not.toBeNull();
    }
    const fixedRows = Array.from(el.querySelectorAll('#chart-fixed-table tbody tr')).map((r) =>
      Array.from(r.querySelectorAll('th, td')).map((c) => c.textContent!.trim()),
    );
    expect(fixedRows).toEqual([
      ['2026-03-01', '7'],
      ['2026-03-02', '0'],
    ]);
    expect(text(el, '#reasons')).toContain('1 up to date');
    expect(text(el, '#reasons')).toContain('1 failed in copa');
    expect(text(el, '#hint-snapshots')).toContain('30 days ago');
    expect(text(el, '#backlog-table tbody th')).toBe('team/web');
    expect(text(el, '#empty-policies')).toContain('create one');
  });

  it("the backlog's shortcut opens the Policies tab with the create dialog pre-filled", async () => {
    const fixture = await setup(insights());
    const router = TestBed.inject(Router);
    const navigate = spyOn(router, 'navigate').and.resolveTo(true);
    fixture.nativeElement.querySelector('#backlog-table .create-policy').click();
    expect(navigate).toHaveBeenCalledWith(['/projects', 'library', 'policies'], {
      queryParams: { create: 'policy', repository: 'library/team/web', severity: 'High' },
    });
  });

  it('a guest sees the same numbers but no shortcut to create a policy', async () => {
    const fixture = await setup(insights(), projectContext({ canManagePolicies: false, canPush: false }));
    const el: HTMLElement = fixture.nativeElement;
    expect(el.querySelector('#backlog-table')).not.toBeNull();
    expect(el.querySelector('.create-policy')).toBeNull();
    expect(text(el, '#empty-policies')).toContain('a project admin can create one');
  });

  it('says what to do when nothing was patched and nothing was scanned', async () => {
    const empty = insights({
      totals: { ...insights().totals, tasks: 0, succeeded: 0, skipped: 0, failed: 0, fixed_cves: 0 },
      outcomes: [],
      reasons: [],
      vulnerabilities: { now: null, then: null },
      backlog: { ...insights().backlog!, repositories: [], uncovered: 0 },
    });
    const fixture = await setup(empty);
    const el: HTMLElement = fixture.nativeElement;
    expect(text(el, '#empty-fixed')).toContain('Create a patch policy');
    expect(el.querySelector('#empty-go-policies')).not.toBeNull();
    expect(text(el, '#empty-outcomes')).toContain('Choose a longer period');
    expect(text(el, '#empty-now-then')).toContain('scan the project');
    expect(text(el, '#empty-backlog')).toContain('Nothing is left to patch');
  });

  it('asks again for another period and severity', async () => {
    const fixture = await setup(insights());
    const el: HTMLElement = fixture.nativeElement;
    el.querySelector<HTMLButtonElement>('#range-90')!.click();
    const req = backend.expectOne((r) => r.url === '/patching/api/v1/projects/library/insights');
    expect(req.request.params.get('bucket')).toBe('week');
    req.flush(insights());
    fixture.componentInstance.setSeverity('Critical');
    const again = backend.expectOne((r) => r.url === '/patching/api/v1/projects/library/insights');
    expect(again.request.params.get('severity')).toBe('Critical');
    again.flush(insights());
    expect(fixture.componentInstance.exportUrl('csv', 'backlog')).toContain('table=backlog&severity=Critical');
  });
});
