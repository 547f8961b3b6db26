import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { NoopAnimationsModule } from '@angular/platform-browser/animations';
import { ActivatedRoute, provideRouter } from '@angular/router';
import { TranslateModule, TranslateService } from '@ngx-translate/core';
import { SharedModule } from '../../shared/shared.module';
import { TaskListComponent } from './task-list.component';
import { executionOf, projectContext, routeStub, useEnglish } from '../../shared/testing/testing';
import { Execution } from '../../shared/services/patching.models';
import { ProjectContext } from '../project.resolver';

const EXECUTION_URL = '/patching/api/v1/projects/library/executions/7';

function execution(
  trigger: Execution['trigger'],
  status: Execution['status'],
  extra: Partial<Execution> = {},
): Execution {
  const metrics = { total: 1, running: status === 'Running' ? 1 : 0 };
  return executionOf(status, metrics, { trigger, policy_id: trigger === 'ADHOC' ? null : 5, ...extra });
}

describe('TaskListComponent', () => {
  let backend: HttpTestingController;
  let fixture: ComponentFixture<TaskListComponent> | undefined;

  async function render(context: ProjectContext, e: Execution) {
    TestBed.configureTestingModule({
      declarations: [TaskListComponent],
      imports: [SharedModule, NoopAnimationsModule, TranslateModule.forRoot()],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: ActivatedRoute, useValue: routeStub(context, { execution: '7' }) },
      ],
    });
    useEnglish(TestBed.inject(TranslateService));
    backend = TestBed.inject(HttpTestingController);
    fixture = TestBed.createComponent(TaskListComponent);
    fixture.detectChanges();
    backend.expectOne(EXECUTION_URL).flush(e);
    fixture.detectChanges();
    await fixture.whenStable();
    backend
      .match((r) => r.url === `${EXECUTION_URL}/tasks`)
      .forEach((r) => r.flush([], { headers: { 'X-Total-Count': '0' } }));
    fixture.detectChanges();
    return fixture;
  }

  const stopButton = () => (fixture!.nativeElement as HTMLElement).querySelector<HTMLButtonElement>('#stop-tasks');

  afterEach(() => {
    fixture?.destroy();
    fixture = undefined;
    TestBed.inject(HttpTestingController, null)?.match(() => true);
  });

  it('lets a project admin stop a running policy run, after confirmation', async () => {
    await render(projectContext({ canManagePolicies: true, canPush: true }), execution('SCHEDULE', 'Running'));
    expect(stopButton()!.disabled).toBeFalse();
    stopButton()!.click();
    fixture!.detectChanges();
    backend.expectNone((r) => r.method === 'POST');
    fixture!.componentInstance.stopDialog.confirm();
    expect(backend.expectOne(`${EXECUTION_URL}/stop`).request.method).toBe('POST');
  });

  it('keeps Stop disabled for a developer on a policy run or a Harbor job, and says why', async () => {
    for (const trigger of ['MANUAL', 'EVENT', 'JOBSERVICE'] as const) {
      await render(projectContext({ canManagePolicies: false, canPush: true }), execution(trigger, 'Running'));
      expect(stopButton()!.disabled).withContext(trigger).toBeTrue();
      expect(stopButton()!.getAttribute('title')).toBe(
        'Only a project admin (or a system admin) can stop a policy run or a job started by Harbor.',
      );
      fixture!.destroy();
      fixture = undefined;
      TestBed.resetTestingModule();
    }
  });

  it('lets a developer stop a running ad-hoc patch; a finished one shows no Stop at all', async () => {
    await render(projectContext({ canManagePolicies: false, canPush: true }), execution('ADHOC', 'Running'));
    expect(stopButton()!.disabled).toBeFalse();
    expect(stopButton()!.getAttribute('title')).toBeNull();
    fixture!.destroy();
    TestBed.resetTestingModule();
    await render(projectContext({ canManagePolicies: true, canPush: true }), execution('ADHOC', 'Success'));
    expect(stopButton()).toBeNull();
  });

  it("says what the run did in words instead of the service's message with reason codes", async () => {
    const e = execution('MANUAL', 'Success', {
      status_message: '0 artifacts selected for patching; 15 left out (FILTERED_REPOSITORY 15).',
      metrics: {
        total: 3,
        succeeded: 0,
        failed: 0,
        skipped: 3,
        stopped: 0,
        running: 0,
        pending: 0,
        by_reason: { UP_TO_DATE: 3 },
      },
      excluded: { FILTERED_REPOSITORY: 15 },
    });
    await render(projectContext(), e);
    const outcome = (fixture!.nativeElement as HTMLElement).querySelector('#execution-outcome hp-execution-outcome')!;
    const text = outcome.textContent!.replace(/\s+/g, ' ').replace(/ ,/g, ',').trim();
    expect(text).toBe('Nothing to patch: 3 up to date Left out by the selection: 15 outside the repository filter');
    expect((fixture!.nativeElement as HTMLElement).textContent).not.toContain('FILTERED_REPOSITORY');
  });

  it('shows no Stop button to a guest', async () => {
    await render(projectContext({ canManagePolicies: false, canPush: false }), execution('ADHOC', 'Running'));
    expect(stopButton()).toBeNull();
    expect(fixture!.nativeElement.textContent).toContain('Execution #7');
  });

  it('cuts long names with the full name on hover, and keeps the progress on one line', async () => {
    await render(projectContext(), execution('ADHOC', 'Running'));
    const longRepository = `team/${'very-long-repository-name-'.repeat(4)}app`;
    const stage = 'Installing 3 security updates: openssl, libssl3, libexpat1 and their dependencies';
    fixture!.componentInstance.load();
    backend
      .expectOne((r) => r.url === `${EXECUTION_URL}/tasks`)
      .flush(
        [
          {
            id: 1,
            execution_id: 7,
            project: 'library',
            repository: longRepository,
            tag: '1.0',
            source_digest: 'sha256:1',
            status: 'Running',
            reason: null,
            status_message: '',
            attempt: 1,
            has_vex: false,
            signed: false,
            vex_referrer: null,
            progress: { stage, percent: 40 },
          },
        ],
        { headers: { 'X-Total-Count': '1' } },
      );
    fixture!.detectChanges();
    const row = (fixture!.nativeElement as HTMLElement).querySelector('clr-dg-row')!;
    const name = row.querySelector('.artifact-cell .truncate') as HTMLElement;
    expect(name.title).toBe(`${longRepository}:1.0`);
    expect(getComputedStyle(name).textOverflow).toBe('ellipsis');
    expect(name.getBoundingClientRect().width).toBeLessThan(name.scrollWidth);
    const shown = row.querySelector('.stage') as HTMLElement;
    expect(shown.title).toBe(stage);
    expect(getComputedStyle(shown).whiteSpace).toBe('nowrap');
    const block = row.querySelector('.progress-block') as HTMLElement;
    expect(block.getBoundingClientRect().height).toBeLessThan(3 * parseFloat(getComputedStyle(shown).lineHeight) + 20);
  });

  it('clears a failed load once the tasks load again', async () => {
    await render(projectContext({ canManagePolicies: false, canPush: false }), execution('ADHOC', 'Success'));
    const component = fixture!.componentInstance;
    component.load();
    backend
      .expectOne((r) => r.url === `${EXECUTION_URL}/tasks`)
      .flush({ errors: [{ code: 'INTERNAL', message: 'boom' }] }, { status: 500, statusText: 'Internal Server Error' });
    expect(component.error).toBeTruthy();
    component.load();
    expect(component.error).toBeNull();
    backend.expectOne((r) => r.url === `${EXECUTION_URL}/tasks`).flush([], { headers: { 'X-Total-Count': '0' } });
    expect(component.error).toBeNull();
  });
});
