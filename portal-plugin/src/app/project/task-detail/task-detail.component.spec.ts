import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { NoopAnimationsModule } from '@angular/platform-browser/animations';
import { ActivatedRoute, provideRouter } from '@angular/router';
import { TranslateModule, TranslateService } from '@ngx-translate/core';
import { SharedModule } from '../../shared/shared.module';
import { TaskDetailComponent, beforeAfterRows } from './task-detail.component';
import { projectContext, routeStub, useEnglish } from '../../shared/testing/testing';
import { PatchTask } from '../../shared/services/patching.models';

const BASE: PatchTask = {
  id: 34,
  execution_id: 12,
  project: 'library',
  attempt: 1,
  repository: 'sample-app',
  tag: '1.0',
  source_digest: 'sha256:1111',
  status: 'Success',
  reason: null,
  status_message: '',
  patched_tag: '1.0-patched',
  patched_digest: 'sha256:2222',
  vulnerabilities_before: { total: 7, fixable: 5, summary: { Critical: 1, High: 4, Low: 2 } },
  vulnerabilities_after: { total: 2, fixable: 0, summary: { Low: 2 } },
  fixed_cves: ['CVE-2025-1', 'CVE-2025-2', 'CVE-2025-3', 'CVE-2025-4', 'CVE-2025-5'],
  has_vex: true,
  signed: false,
  vex_referrer: null,
  platforms: null,
  progress: null,
  copa_seconds: 42,
  creation_time: '2026-01-01T00:00:00Z',
  start_time: '2026-01-01T00:00:01Z',
  end_time: '2026-01-01T00:01:05Z',
  update_time: '2026-01-01T00:01:05Z',
};

describe('TaskDetailComponent', () => {
  let backend: HttpTestingController;

  async function render(task: PatchTask) {
    TestBed.configureTestingModule({
      declarations: [TaskDetailComponent],
      imports: [SharedModule, NoopAnimationsModule, TranslateModule.forRoot()],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: ActivatedRoute, useValue: routeStub(projectContext(), { execution: '12', task: '34' }) },
      ],
    });
    useEnglish(TestBed.inject(TranslateService));
    backend = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(TaskDetailComponent);
    fixture.detectChanges();
    backend.expectOne('/patching/api/v1/projects/library/executions/12/tasks/34').flush(task);
    fixture.detectChanges();
    await fixture.whenStable();
    fixture.detectChanges();
    return fixture;
  }

  afterEach(() => fixture?.destroy());
  let fixture: Awaited<ReturnType<typeof render>> | undefined;

  it('shows vulnerabilities before and after by severity, and the fixed CVE count', async () => {
    fixture = await render(BASE);
    const el = fixture.nativeElement as HTMLElement;
    const row = (s: string) => el.querySelector(`#task-before-after tr[data-severity="${s}"]`) as HTMLElement;
    expect(row('Critical').querySelector('.before')!.textContent!.trim()).toBe('1');
    expect(row('Critical').querySelector('.after')!.textContent!.trim()).toBe('0');
    expect(row('High').querySelector('.after')!.textContent!.trim()).toBe('0');
    expect(row('Low').querySelector('.after')!.textContent!.trim()).toBe('2');
    expect(row('Total').querySelector('.before')!.textContent!.trim()).toBe('7');
    expect(row('Total').querySelector('.after')!.textContent!.trim()).toBe('2');
    expect(el.querySelector('#task-fixed')!.textContent).toContain('Fixed CVEs: 5');
    expect(el.querySelector('#task-patched-tag')!.textContent).toBe('1.0-patched');
    expect(el.querySelector('#task-reason')).toBeNull();
  });

  it("offers copa's VEX document to view and to download, only when there is one", async () => {
    fixture = await render({ ...BASE, repository: 'team/app' });
    const el = fixture.nativeElement as HTMLElement;
    const url = '/patching/api/v1/projects/library/executions/12/tasks/34/vex';
    const view = el.querySelector<HTMLAnchorElement>('#task-vex-view')!;
    expect(view.getAttribute('href')).toBe(url);
    expect(view.target).toBe('_blank');
    const download = el.querySelector<HTMLAnchorElement>('#task-vex-download')!;
    expect(download.getAttribute('href')).toBe(url);
    expect(download.getAttribute('download')).toBe('team_app_1.0-patched.vex.json');
    fixture.destroy();
    TestBed.resetTestingModule();
    fixture = await render({ ...BASE, has_vex: false });
    expect((fixture.nativeElement as HTMLElement).querySelector('#task-vex')).toBeNull();
  });

  it('shows whether the patched image is signed and links the VEX attachment', async () => {
    fixture = await render(BASE);
    let el = fixture.nativeElement as HTMLElement;
    expect(el.querySelector('#task-signed')!.textContent).toContain('Not signed');
    expect(el.querySelector('#task-vex-referrer')).toBeNull();
    fixture.destroy();
    TestBed.resetTestingModule();
    const referrer = 'sha256:' + 'b'.repeat(64);
    fixture = await render({ ...BASE, signed: true, vex_referrer: referrer });
    el = fixture.nativeElement as HTMLElement;
    expect(el.querySelector('#task-signed')!.textContent).toContain('Signed with cosign');
    const link = el.querySelector<HTMLAnchorElement>('#task-vex-referrer a')!;
    expect(link.textContent).toContain(referrer);
    expect(link.getAttribute('href')).toBe('/patching/api/v1/projects/library/executions/12/tasks/34/vex');
  });

  it("explains a skipped task in plain words with the server's sentence", async () => {
    fixture = await render({
      ...BASE,
      status: 'Skipped',
      reason: 'NOTHING_FIXABLE',
      status_message: 'No fixable vulnerability at or above High in library/sample-app:1.0.',
      patched_tag: null,
      vulnerabilities_after: null,
      fixed_cves: [],
    });
    const reason = (fixture.nativeElement as HTMLElement).querySelector('#task-reason')!.textContent!;
    expect(reason).toContain('Nothing to patch: no vulnerability at or above the threshold has a fix yet');
    expect(reason).toContain('No fixable vulnerability at or above High');
  });

  it('says "Not scanned" for a finished task without reports (Harbor without a scanner)', async () => {
    fixture = await render({
      ...BASE,
      status_message: 'Patched library/sample-app:1.0 into 1.0-patched.',
      vulnerabilities_before: null,
      vulnerabilities_after: null,
      fixed_cves: [],
    });
    const el = fixture.nativeElement as HTMLElement;
    expect(el.querySelector('#task-before-after')).toBeNull();
    expect(el.querySelector('#task-no-report')!.textContent).toContain('Not scanned');
  });

  it('explains a failed task, e.g. an unreachable build engine', async () => {
    fixture = await render({
      ...BASE,
      status: 'Error',
      reason: 'BUILDKIT_UNREACHABLE',
      status_message: 'dial unix /run/buildkit.sock: connect refused',
    });
    const el = fixture.nativeElement as HTMLElement;
    expect(el.querySelector('#task-reason')!.textContent).toContain('The build engine (BuildKit) could not be reached');
    expect(el.querySelector('clr-alert .alert-danger, .alert-danger')).not.toBeNull();
  });

  it('shows progress and stage while running, and refreshes until done', async () => {
    jasmine.clock().install();
    try {
      fixture = await render({
        ...BASE,
        status: 'Running',
        progress: { stage: 'Patching with copa', percent: 40 },
        vulnerabilities_after: null,
      });
      const el = fixture.nativeElement as HTMLElement;
      expect(el.querySelector('#task-progress')!.textContent).toContain('40%');
      expect(el.querySelector('#task-progress')!.textContent).toContain('Patching with copa');
      jasmine.clock().tick(2100);
      backend.expectOne('/patching/api/v1/projects/library/executions/12/tasks/34').flush(BASE);
      fixture.detectChanges();
      expect(el.querySelector('#task-progress')).toBeNull();
      jasmine.clock().tick(5000);
      backend.expectNone('/patching/api/v1/projects/library/executions/12/tasks/34');
    } finally {
      jasmine.clock().uninstall();
    }
  });

  it('shows an image index task platform by platform: before → after, status, why one was kept, VEX', async () => {
    const platform = (name: string, over: Partial<NonNullable<PatchTask['platforms']>[number]>) => ({
      platform: name,
      source_digest: 'sha256:s',
      status: 'Patched' as const,
      reason: null,
      message: '',
      patched_digest: 'sha256:p',
      vulnerabilities_before: { total: 7, fixable: 5, summary: {} },
      vulnerabilities_after: { total: 0, fixable: 0, summary: {} },
      fixed_cves: ['CVE-1', 'CVE-2'],
      has_vex: true,
      ...over,
    });
    const fixture = await render({
      ...BASE,
      platforms: [
        platform('linux/amd64', {}),
        platform('linux/arm64', {
          status: 'Unchanged',
          reason: 'MULTI_PLATFORM',
          vulnerabilities_after: { total: 7, fixable: 5, summary: {} },
          fixed_cves: [],
          has_vex: false,
        }),
      ],
    });
    const el = fixture.nativeElement as HTMLElement;
    const row = (p: string) => el.querySelector(`#task-platforms tr[data-platform="${p}"]`)!;
    expect(row('linux/amd64').querySelector('.platform-status')!.textContent!.trim()).toBe('Patched');
    expect(row('linux/amd64').querySelector('.platform-counts')!.textContent!.trim()).toBe('7 → 0');
    expect(row('linux/amd64').querySelector('.platform-fixed')!.textContent!.trim()).toBe('2');
    expect(row('linux/amd64').querySelector('a')!.getAttribute('href')).toBe(
      '/patching/api/v1/projects/library/executions/12/tasks/34/vex?platform=linux%2Famd64',
    );
    expect(row('linux/arm64').querySelector('.platform-status')!.textContent).toContain('Carried over');
    expect(row('linux/arm64').querySelector('.platform-counts')!.textContent!.trim()).toBe('7 → 7');
    expect(row('linux/arm64').querySelector('a')).toBeNull();
  });

  it('shows no platforms for a single-platform image', async () => {
    const fixture = await render(BASE);
    expect((fixture.nativeElement as HTMLElement).querySelector('#task-platforms')).toBeNull();
  });

  it('builds the before/after rows from the summaries', () => {
    expect(
      beforeAfterRows({ ...BASE, vulnerabilities_after: null }).map((r) => [r.severity, r.before, r.after]),
    ).toEqual([
      ['Critical', 1, null],
      ['High', 4, null],
      ['Low', 2, null],
      ['Total', 7, null],
    ]);
  });
});
