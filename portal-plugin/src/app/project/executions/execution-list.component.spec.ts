import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { NoopAnimationsModule } from '@angular/platform-browser/animations';
import { ActivatedRoute, provideRouter } from '@angular/router';
import { TranslateModule, TranslateService } from '@ngx-translate/core';
import { SharedModule } from '../../shared/shared.module';
import { ExecutionListComponent } from './execution-list.component';
import { executionOf, projectContext, routeStub, useEnglish } from '../../shared/testing/testing';
import { Execution } from '../../shared/services/patching.models';

const execution = (
  id: number,
  status: Execution['status'],
  m: Partial<Execution['metrics']>,
  trigger: Execution['trigger'] = id === 1 ? 'MANUAL' : 'ADHOC',
): Execution => executionOf(status, m, { id, trigger, policy_id: trigger === 'ADHOC' ? null : 5 });

describe('ExecutionListComponent', () => {
  let backend: HttpTestingController;

  const DEFAULT_ROWS = [
    execution(1, 'Success', { total: 4, succeeded: 3, skipped: 1 }),
    execution(2, 'Running', { total: 1, running: 1 }),
  ];

  async function setup(
    context = projectContext(),
    rows: Execution[] = DEFAULT_ROWS,
    query: Record<string, string> = {},
  ) {
    TestBed.configureTestingModule({
      declarations: [ExecutionListComponent],
      imports: [SharedModule, NoopAnimationsModule, TranslateModule.forRoot()],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: ActivatedRoute, useValue: routeStub(context, {}, query) },
      ],
    });
    useEnglish(TestBed.inject(TranslateService));
    backend = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(ExecutionListComponent);
    fixture.detectChanges();
    backend
      .expectOne((r) => r.url === '/patching/api/v1/projects/library/policies')
      .flush([{ id: 5, name: 'nightly' }]);
    for (const r of backend.match((r) => /\/policies\/\d+$/.test(r.url))) {
      r.flush({ id: Number(r.request.url.split('/').pop()), name: 'nightly' });
    }
    await new Promise((r) => setTimeout(r));
    backend
      .expectOne((r) => r.url === '/patching/api/v1/projects/library/executions')
      .flush(rows, { headers: { 'X-Total-Count': String(rows.length) } });
    fixture.detectChanges();
    await fixture.whenStable();
    fixture.detectChanges();
    return fixture;
  }

  afterEach(() => TestBed.inject(HttpTestingController, null)?.match(() => true));

  it("shows the policy name, trigger, duration, success rate and total like Harbor's executions grid", async () => {
    const fixture = await setup();
    const rows = (fixture.nativeElement as HTMLElement).querySelectorAll('clr-dg-row');
    const first = rows[0].textContent ?? '';
    expect(first).toContain('nightly');
    expect(first).toContain('Manual');
    expect(first).toContain('1m 5s');
    // The skipped task had nothing to do: the rate is over the tasks that tried to patch.
    expect(first).toContain('100%');
    expect(rows[1].textContent).toContain('Ad hoc');
    fixture.destroy();
  });

  it("says in words what an execution did, keeps Harbor's status, and shows no rate when nothing tried to patch", async () => {
    const fixture = await setup(projectContext(), [
      execution(1, 'Success', { total: 3, skipped: 3, by_reason: { UP_TO_DATE: 3 } }),
      { ...execution(2, 'Success', { total: 0 }, 'MANUAL'), excluded: { FILTERED_REPOSITORY: 15 } },
    ]);
    const rows = (fixture.nativeElement as HTMLElement).querySelectorAll('clr-dg-row');
    const cells = (row: Element) =>
      Array.from(row.querySelectorAll('clr-dg-cell')).map((c) => c.textContent!.replace(/\s+/g, ' ').trim());
    expect(cells(rows[0]).slice(2, 4)).toEqual(['Success', 'Nothing to patch: 3 up to date']);
    expect(cells(rows[0])[7]).toBe('-');
    expect(cells(rows[1])[3]).toBe('Nothing to patch: 15 outside the repository filter');
    expect(cells(rows[1])[7]).toBe('-');
    expect(rows[1].textContent).not.toContain('FILTERED_REPOSITORY');
    expect(rows[1].textContent).not.toContain('0%');
    fixture.destroy();
  });

  it('names the policy in the filter chip, not its number', async () => {
    const fixture = await setup(projectContext(), DEFAULT_ROWS, { policy_id: '5' });
    const chip = (fixture.nativeElement as HTMLElement).querySelector('#policy-filter-chip')!;
    expect(chip.textContent).toContain('Policy: nightly');
    expect(chip.textContent).not.toContain('#5');
    fixture.destroy();
  });

  it('sorts by ID and start time through the API, newest first at first', async () => {
    const fixture = await setup();
    const c = fixture.componentInstance;
    expect(c.sort).toBe('-id');
    c.load({ sort: { by: 'start_time', reverse: false }, page: { current: 1, size: 15 } });
    expect(backend.expectOne((r) => r.url.endsWith('/executions')).request.params.get('sort')).toBe('start_time');
    c.load({ sort: { by: 'id', reverse: true }, page: { current: 1, size: 15 } });
    expect(backend.expectOne((r) => r.url.endsWith('/executions')).request.params.get('sort')).toBe('-id');
    const headers = Array.from((fixture.nativeElement as HTMLElement).querySelectorAll('clr-dg-column'));
    const sortable = headers.filter((h) => h.querySelector('button.datagrid-column-title'));
    expect(sortable.map((h) => h.querySelector('button.datagrid-column-title')!.textContent!.trim())).toEqual([
      'ID',
      'Start Time',
    ]);
    fixture.destroy();
  });

  it('hides Stop when every execution on the page has finished', async () => {
    const fixture = await setup(projectContext(), [execution(1, 'Success', { total: 1, succeeded: 1 })]);
    expect((fixture.nativeElement as HTMLElement).querySelector('#stop-execution')).toBeNull();
    fixture.destroy();
  });

  it('filters by status or trigger through the API', async () => {
    const fixture = await setup();
    const c = fixture.componentInstance;
    c.changeFilter('Error');
    expect(backend.expectOne((r) => r.url.endsWith('/executions')).request.params.get('status')).toBe('Error');
    c.changeFilterBy('trigger');
    backend.expectOne((r) => r.url.endsWith('/executions'));
    c.changeFilter('SCHEDULE');
    const req = backend.expectOne((r) => r.url.endsWith('/executions'));
    expect(req.request.params.get('trigger')).toBe('SCHEDULE');
    expect(req.request.params.has('status')).toBeFalse();
    fixture.destroy();
  });

  it('allows Stop only when every selected execution is still running', async () => {
    const fixture = await setup();
    const c = fixture.componentInstance;
    c.selected = [c.executions[1]];
    expect(c.canStop).toBeTrue();
    c.selected = [c.executions[0], c.executions[1]];
    expect(c.canStop).toBeFalse();
    c.selected = [];
    expect(c.canStop).toBeFalse();
    fixture.destroy();
  });

  describe('Stop follows who may stop what', () => {
    // A running policy run (MANUAL), a running ad-hoc patch, a running job Harbor started, a finished run.
    const RUNNING = [
      execution(1, 'Running', { total: 2, running: 2 }, 'MANUAL'),
      execution(2, 'Running', { total: 1, running: 1 }, 'ADHOC'),
      execution(3, 'Running', { total: 1, running: 1 }, 'JOBSERVICE'),
      execution(4, 'Success', { total: 1, succeeded: 1 }, 'SCHEDULE'),
    ];

    function stopButton(fixture: { nativeElement: HTMLElement }): HTMLButtonElement | null {
      return fixture.nativeElement.querySelector('#stop-execution');
    }

    function select(fixture: Awaited<ReturnType<typeof setup>>, ids: number[]): void {
      const c = fixture.componentInstance;
      c.selected = c.executions.filter((e) => ids.includes(e.id));
      fixture.detectChanges();
    }

    it('a project admin may stop policy runs, Harbor jobs and ad-hoc patches', async () => {
      const fixture = await setup(projectContext({ canManagePolicies: true, canPush: true }), RUNNING);
      select(fixture, [1, 2, 3]);
      expect(fixture.componentInstance.canStop).toBeTrue();
      expect(stopButton(fixture)!.disabled).toBeFalse();
      expect(stopButton(fixture)!.getAttribute('title')).toBeNull();
      stopButton(fixture)!.click();
      fixture.detectChanges();
      backend.expectNone((r) => r.method === 'POST');
      fixture.componentInstance.stopDialog.confirm();
      const posts = backend.match((r) => r.method === 'POST' && /\/executions\/\d+\/stop$/.test(r.url));
      expect(posts.map((r) => r.request.url).sort()).toEqual(
        [1, 2, 3].map((id) => `/patching/api/v1/projects/library/executions/${id}/stop`),
      );
      fixture.destroy();
    });

    it('a developer may stop an ad-hoc patch but not a policy run or a Harbor job, and is told why', async () => {
      const fixture = await setup(projectContext({ canManagePolicies: false, canPush: true }), RUNNING);
      const c = fixture.componentInstance;
      select(fixture, [2]);
      expect(c.canStop).toBeTrue();
      expect(stopButton(fixture)!.disabled).toBeFalse();
      for (const ids of [[1], [3], [1, 2]]) {
        select(fixture, ids);
        expect(c.canStop).withContext(String(ids)).toBeFalse();
        expect(stopButton(fixture)!.disabled).withContext(String(ids)).toBeTrue();
        expect(stopButton(fixture)!.getAttribute('title')).toBe(
          'Only a project admin (or a system admin) can stop a policy run or a job started by Harbor.',
        );
      }
      // A finished run cannot be stopped by anyone: disabled, but not for lack of rights.
      select(fixture, [4]);
      expect(stopButton(fixture)!.disabled).toBeTrue();
      expect(stopButton(fixture)!.getAttribute('title')).toBeNull();
      fixture.destroy();
    });

    it('a project admin without push (a robot, say) may stop policy runs but not ad-hoc patches', async () => {
      const fixture = await setup(projectContext({ canManagePolicies: true, canPush: false }), RUNNING);
      select(fixture, [1, 3]);
      expect(stopButton(fixture)!.disabled).toBeFalse();
      select(fixture, [2]);
      expect(stopButton(fixture)!.disabled).toBeTrue();
      expect(stopButton(fixture)!.getAttribute('title')).toBe(
        'Stopping a patch needs the push permission in this project.',
      );
      fixture.destroy();
    });

    it('a guest, who may stop nothing, sees no Stop button', async () => {
      const fixture = await setup(projectContext({ canManagePolicies: false, canPush: false }), RUNNING);
      select(fixture, [1, 2]);
      expect(stopButton(fixture)).toBeNull();
      expect(fixture.componentInstance.canStop).toBeFalse();
      fixture.destroy();
    });
  });
});
