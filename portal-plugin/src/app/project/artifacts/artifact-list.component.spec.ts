import { TestBed } from '@angular/core/testing';
import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { NoopAnimationsModule } from '@angular/platform-browser/animations';
import { ActivatedRoute, Router, provideRouter } from '@angular/router';
import { TranslateModule, TranslateService } from '@ngx-translate/core';
import { SharedModule } from '../../shared/shared.module';
import { ArtifactListComponent, patchBlocker } from './artifact-list.component';
import { projectContext, routeStub, useEnglish } from '../../shared/testing/testing';
import { ProjectContext } from '../project.resolver';

const ARTIFACT = {
  id: 1,
  type: 'IMAGE',
  digest: 'sha256:aaaaaaaaaaaaaaaa',
  size: 1024,
  tags: [{ id: 1, name: '1.0' }],
  scan_overview: {
    'application/vnd.security.vulnerability.report; version=1.1': {
      scan_status: 'Success',
      summary: { total: 6, fixable: 4, summary: { Critical: 1, High: 5 } },
    },
  },
};

const IMAGE_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const PATCHED_DIGEST = 'sha256:dddd';
/** An image, a Helm chart, a multi-platform index, the patched image of 1.0, an untagged image. */
const ROWS = [
  { ...ARTIFACT, manifest_media_type: IMAGE_MANIFEST },
  { ...ARTIFACT, id: 2, type: 'CHART', digest: 'sha256:bbbb', tags: [{ id: 2, name: 'c' }] },
  {
    ...ARTIFACT,
    id: 3,
    digest: 'sha256:cccc',
    manifest_media_type: 'application/vnd.oci.image.index.v1+json',
    tags: [{ id: 3, name: 'multi' }],
    references: [
      { child_digest: 'sha256:c1', platform: { os: 'linux', architecture: 'amd64' } },
      { child_digest: 'sha256:c2', platform: { os: 'linux', architecture: '386' } },
      { child_digest: 'sha256:c3', platform: { os: 'unknown', architecture: 'unknown' } },
    ],
  },
  {
    ...ARTIFACT,
    id: 4,
    digest: PATCHED_DIGEST,
    manifest_media_type: IMAGE_MANIFEST,
    tags: [{ id: 4, name: '1.0-patched' }],
  },
  { ...ARTIFACT, id: 5, digest: 'sha256:eeee', manifest_media_type: IMAGE_MANIFEST, tags: [] },
];
/** The task that produced the patched image. */
const PRODUCER = {
  id: 34,
  execution_id: 12,
  project: 'library',
  repository: 'team/app',
  tag: '1.0',
  source_digest: ARTIFACT.digest,
  status: 'Success',
  reason: null,
  status_message: '',
  patched_tag: '1.0-patched',
  patched_digest: PATCHED_DIGEST,
  attempt: 1,
  has_vex: true,
  signed: false,
  vex_referrer: null,
};

describe('ArtifactListComponent', () => {
  let backend: HttpTestingController;

  let firstQuery: string | null = null;

  async function setup(context: ProjectContext, repository = 'team/app', query: Record<string, string> = {}) {
    TestBed.configureTestingModule({
      declarations: [ArtifactListComponent],
      imports: [SharedModule, NoopAnimationsModule, TranslateModule.forRoot()],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        { provide: ActivatedRoute, useValue: routeStub(context, { repository }, query) },
      ],
    });
    useEnglish(TestBed.inject(TranslateService));
    backend = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(ArtifactListComponent);
    fixture.detectChanges();
    await new Promise((r) => setTimeout(r));
    const req = backend.expectOne((r) => r.url.startsWith('/api/v2.0/projects/library/repositories/'));
    // Harbor wants the repository name without the project, URL-encoded twice.
    expect(req.request.url).toBe('/api/v2.0/projects/library/repositories/team%252Fapp/artifacts');
    expect(req.request.params.get('with_scan_overview')).toBe('true');
    firstQuery = req.request.params.get('q');
    req.flush(ROWS, { headers: { 'X-Total-Count': String(ROWS.length) } });
    // One question for the page: which of these artifacts a patch task produced.
    const producers = backend.expectOne((r) => r.url === '/patching/api/v1/projects/library/tasks');
    expect(producers.request.params.getAll('patched_digest')).toEqual(ROWS.map((a) => a.digest));
    expect(producers.request.params.get('repository')).toBe('team/app');
    producers.flush([PRODUCER]);
    fixture.detectChanges();
    await fixture.whenStable();
    fixture.detectChanges();
    return fixture;
  }

  it('shows the vulnerability summary of each artifact', async () => {
    const fixture = await setup(projectContext());
    const text = (fixture.nativeElement as HTMLElement).textContent ?? '';
    expect(text).toContain('6 total');
    expect(text).toContain('(4 fixable)');
  });

  it('shows Patch only to users with repository:push', async () => {
    const withPush = await setup(projectContext({ canPush: true }));
    expect(withPush.nativeElement.querySelector('#patch-artifact')).not.toBeNull();
    TestBed.resetTestingModule();
    const without = await setup(projectContext({ canPush: false, canManagePolicies: false }));
    expect(without.nativeElement.querySelector('#patch-artifact')).toBeNull();
  });

  it('disables Patch, with the reason as a tooltip, for artifacts the service would skip', async () => {
    const fixture = await setup(projectContext());
    const c = fixture.componentInstance;
    const el = fixture.nativeElement as HTMLElement;
    const button = () => el.querySelector('#patch-artifact') as HTMLButtonElement;
    const tooltip = () => el.querySelector('#patch-artifact-wrap')!.getAttribute('title');
    expect(button().disabled).toBeTrue();
    const expected: [number, string][] = [
      [1, 'Only container images can be patched, not Helm charts, signatures or SBOMs.'],
      [3, 'This image was produced by patching; patch its original instead.'],
      [4, 'This image has no tag; patched images are named after the source tag, so tag it first.'],
    ];
    for (const [row, reason] of expected) {
      c.selectedRows = [c.artifacts[row]];
      fixture.detectChanges();
      expect(button().disabled).withContext(reason).toBeTrue();
      expect(tooltip()).toBe(reason);
      expect(el.querySelector('#patch-blocked-reason')!.textContent!.trim()).toBe(reason);
    }
    for (const row of [0, 2]) {
      c.selectedRows = [c.artifacts[row]];
      fixture.detectChanges();
      expect(button().disabled).withContext(`row ${row}`).toBeFalse();
      expect(tooltip()).toBeNull();
      expect(el.querySelector('#patch-blocked-reason')).toBeNull();
    }
  });

  it("shows an image index's platforms, as Harbor's artifact list does", async () => {
    const fixture = await setup(projectContext());
    const el = fixture.nativeElement as HTMLElement;
    const index = el.querySelector('[data-artifact="multi"]')!;
    expect(Array.from(index.querySelectorAll('.platform')).map((p) => p.textContent!.trim())).toEqual([
      'linux/amd64',
      'linux/386',
    ]);
    expect(index.querySelector('.digest clr-icon')!.getAttribute('shape')).toBe('folder');
  });

  it("opens on the source's exact tag when a patched artifact's link leads here; typed filters stay fuzzy", async () => {
    const fixture = await setup(projectContext(), 'team/app', { tag: '1.0' });
    expect(firstQuery).toBe('tags=1.0');
    fixture.componentInstance.filter('1.');
    const req = backend.expectOne((r) => r.url.endsWith('/repositories/team%252Fapp/artifacts'));
    expect(req.request.params.get('q')).toBe('tags=~1.');
  });

  it('knows a patched tag by its name even when no task of this service made it', () => {
    const patched = { id: 9, digest: 'sha256:ffff', type: 'IMAGE', tags: [{ id: 9, name: '2.1-patched-3' }] };
    expect(patchBlocker(patched)).toBe('ARTIFACT.CANNOT_PATCH.PATCHED');
    expect(patchBlocker({ ...patched, tags: [...patched.tags, { id: 10, name: '2.1' }] })).toBeNull();
  });

  it('links a patched artifact to its source and to the task that made it', async () => {
    const fixture = await setup(projectContext());
    const el = fixture.nativeElement as HTMLElement;
    const rows = el.querySelectorAll('clr-dg-row');
    expect(rows[0].querySelector('.patched-from')).toBeNull();
    const from = rows[3].querySelector('.patched-from')!;
    expect(from.textContent!.replace(/\s+/g, ' ').trim()).toBe('Patched from 1.0 by task #34');
    expect(from.querySelector<HTMLAnchorElement>('a.source-link')!.getAttribute('href')).toBe('/?tag=1.0');
    expect(from.querySelector<HTMLAnchorElement>('a.task-link')!.getAttribute('href')).toBe(
      '/projects/library/executions/12/tasks/34',
    );
  });

  it('patches the selected tag and opens the task named in X-Patch-Task-Id', async () => {
    const fixture = await setup(projectContext());
    const router = TestBed.inject(Router);
    const navigate = spyOn(router, 'navigate').and.resolveTo(true);
    const c = fixture.componentInstance;
    c.selectedRows = [c.artifacts[0]];
    fixture.detectChanges();
    (fixture.nativeElement.querySelector('#patch-artifact') as HTMLButtonElement).click();
    const req = backend.expectOne('/patching/api/v1/projects/library/repositories/team%252Fapp/artifacts/1.0/patch');
    expect(req.request.method).toBe('POST');
    req.flush(
      { id: 12, status: 'Running' },
      { status: 202, statusText: 'Accepted', headers: { 'X-Patch-Task-Id': '34' } },
    );
    expect(navigate).toHaveBeenCalledWith(['/projects', 'library', 'executions', 12, 'tasks', 34]);
  });

  it("shows the server's words when the patch is refused", async () => {
    const fixture = await setup(projectContext());
    const c = fixture.componentInstance;
    c.selectedRows = [c.artifacts[0]];
    c.patch(c.artifacts[0]);
    backend
      .expectOne((r) => r.url.endsWith('/patch'))
      .flush(
        { errors: [{ code: 'FORBIDDEN', message: 'You need push permission in project library.' }] },
        { status: 403, statusText: 'Forbidden' },
      );
    fixture.detectChanges();
    expect(fixture.nativeElement.querySelector('#artifact-error').textContent).toContain('You need push permission');
  });

  it('says in words from the translation file when an accepted patch names no task', async () => {
    const fixture = await setup(projectContext());
    const c = fixture.componentInstance;
    c.selectedRows = [c.artifacts[0]];
    c.patch(c.artifacts[0]);
    backend
      .expectOne((r) => r.url.endsWith('/patch'))
      .flush({ id: 12, status: 'Running' }, { status: 202, statusText: 'Accepted' });
    fixture.detectChanges();
    expect(fixture.nativeElement.querySelector('#artifact-error').textContent).toContain(
      'The patch was accepted but the answer named no task',
    );
  });
});
