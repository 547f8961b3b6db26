import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { NoopAnimationsModule } from '@angular/platform-browser/animations';
import { ActivatedRoute, provideRouter } from '@angular/router';
import { TranslateModule, TranslateService } from '@ngx-translate/core';
import { SharedModule } from '../../shared/shared.module';
import { ExecutionListComponent, successRate } from './execution-list.component';
import { projectContext, routeStub, useEnglish } from '../../shared/testing/testing';
import { Execution } from '../../shared/services/patching.models';

const metrics = (m: Partial<Execution['metrics']>) => ({ total: 0, succeeded: 0, failed: 0, skipped: 0, stopped: 0, running: 0, pending: 0, ...m });
const execution = (id: number, status: Execution['status'], m: Partial<Execution['metrics']>): Execution => ({
  id,
  project: 'library',
  policy_id: id === 1 ? 5 : null,
  trigger: id === 1 ? 'MANUAL' : 'ADHOC',
  status,
  status_message: '',
  options: {},
  start_time: '2026-01-01T00:00:00Z',
  end_time: status === 'Running' ? null : '2026-01-01T00:01:05Z',
  metrics: metrics(m),
});

describe('ExecutionListComponent', () => {
  let backend: HttpTestingController;

  async function setup() {
    TestBed.configureTestingModule({
      declarations: [ExecutionListComponent],
      imports: [SharedModule, NoopAnimationsModule, TranslateModule.forRoot()],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: ActivatedRoute, useValue: routeStub(projectContext()) },
      ],
    });
    useEnglish(TestBed.inject(TranslateService));
    backend = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(ExecutionListComponent);
    fixture.detectChanges();
    backend.expectOne((r) => r.url === '/patching/api/v1/projects/library/policies').flush([{ id: 5, name: 'nightly' }]);
    await new Promise((r) => setTimeout(r));
    backend
      .expectOne((r) => r.url === '/patching/api/v1/projects/library/executions')
      .flush([execution(1, 'Success', { total: 4, succeeded: 3, skipped: 1 }), execution(2, 'Running', { total: 1, running: 1 })], {
        headers: { 'X-Total-Count': '2' },
      });
    fixture.detectChanges();
    await fixture.whenStable();
    fixture.detectChanges();
    return fixture;
  }

  afterEach(() => TestBed.inject(HttpTestingController, null)?.match(() => true));

  it('shows the policy name, trigger, duration, success rate and total like Harbor\'s executions grid', async () => {
    const fixture = await setup();
    const rows = (fixture.nativeElement as HTMLElement).querySelectorAll('clr-dg-row');
    const first = rows[0].textContent ?? '';
    expect(first).toContain('nightly');
    expect(first).toContain('Manual');
    expect(first).toContain('1m 5s');
    expect(first).toContain('75%');
    expect(rows[1].textContent).toContain('Ad hoc');
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

  it('computes the success rate as Harbor does', () => {
    expect(successRate(execution(1, 'Success', { total: 4, succeeded: 3 }))).toBe(0.75);
    expect(successRate(execution(1, 'Success', { total: 0 }))).toBe(1);
    expect(successRate(execution(2, 'Running', { total: 0 }))).toBe(0);
  });
});
