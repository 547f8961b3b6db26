import { Component, ElementRef, EventEmitter, Input, OnDestroy, Output, ViewChild, inject } from '@angular/core';
import { AbstractControl, FormBuilder, FormGroup, ValidationErrors, ValidatorFn, Validators } from '@angular/forms';
import {
  Subject,
  Subscription,
  catchError,
  debounceTime,
  distinctUntilChanged,
  finalize,
  map,
  of,
  switchMap,
} from 'rxjs';
import { validatePolicy } from '@harbor-patching/shared/policy';
import { HarborService } from '../../../shared/services/harbor.service';
import { HarborLabel } from '../../../shared/services/harbor.models';
import { PatchingService, apiErrors } from '../../../shared/services/patching.service';
import {
  ApiError,
  PatchPolicy,
  PatchPolicyInput,
  PolicyFilter,
  PolicyPreview,
  PreviewExclusion,
  TagScheme,
} from '../../../shared/services/patching.models';
import {
  CRON_PRESETS,
  DEFAULT_TAG_SUFFIX,
  cronValidator,
  fieldPath,
  patternProblem,
  policyNameValidator,
  tagPreview,
  tagSuffixValidator,
} from '../../../shared/units/policy-form';
import { ReasonView, reasonView } from '../../../shared/units/reasons';
import { Phrase, reasonCounts } from '../../../shared/units/execution-outcome';
import { ProjectContext } from '../../project.resolver';
import { SEVERITY_THRESHOLD } from '../../../api/models/severity-threshold-array';

export const EXAMPLE_TAG = '1.0';
/** How long typing must pause before the name is checked against the project's policies (Harbor: 300 ms). */
export const NAME_CHECK_DEBOUNCE_MS = 300;

/** A repository or tag pattern group is valid when its pattern compiles with the chosen syntax. */
export const patternGroupValidator: ValidatorFn = (group: AbstractControl): ValidationErrors | null => {
  const value = (group.get('value')?.value ?? '').trim();
  const syntax = group.get('syntax')?.value === 'regex' ? 'regex' : 'glob';
  const problem = patternProblem(value, syntax);
  const control = group.get('value');
  if (problem) {
    control?.setErrors({ ...(control.errors ?? {}), problem });
    return { problem };
  }
  if (control?.errors?.['problem']) {
    const { problem: _gone, ...rest } = control.errors;
    control.setErrors(Object.keys(rest).length ? rest : null);
  }
  return null;
};

/**
 * The create/edit modal of a patch policy, modeled on Harbor's replication rule modal: a static-backdrop
 * `clr-modal` with a horizontal form, Harbor's name rule, filters with matching/excluding, trigger with
 * cron presets, and the patch settings; validation is the shared one the server applies too.
 */
@Component({
  selector: 'hp-create-edit-policy',
  templateUrl: './create-edit-policy.component.html',
  styleUrls: ['./create-edit-policy.component.scss'],
  standalone: false,
})
export class CreateEditPolicyComponent implements OnDestroy {
  private fb = inject(FormBuilder);
  private harbor = inject(HarborService);
  private patching = inject(PatchingService);

  @Input({ required: true }) context!: ProjectContext;
  @Output() saved = new EventEmitter<string>();

  readonly severities = SEVERITY_THRESHOLD;
  readonly exampleTag = EXAMPLE_TAG;
  opened = false;
  policyId: number | null = null;
  saving = false;
  generalErrors: string[] = [];
  labels: HarborLabel[] = [];
  labelsError = false;

  previewing = false;
  preview: PolicyPreview | null = null;
  previewError: string | null = null;

  form: FormGroup = this.newForm();

  /** The live name check, like Harbor's replication rule modal: on keyup, debounced, against the list API. */
  inNameChecking = false;
  private nameChecker = new Subject<string>();
  private nameCheck: Subscription | null = null;

  get isEdit(): boolean {
    return this.policyId !== null;
  }

  get headerKey(): string {
    return this.isEdit ? 'POLICY.EDIT_TITLE' : 'POLICY.NEW_TITLE';
  }

  get triggerType(): string {
    return this.form.get('trigger_type')!.value;
  }

  get selectedLabels(): string[] {
    return this.form.get('labels.value')!.value ?? [];
  }

  /** The live preview of the patched tag name. */
  get previewTag(): string | null {
    return tagPreview(
      EXAMPLE_TAG,
      this.form.get('tag_scheme')!.value as TagScheme,
      this.form.get('tag_suffix')!.value ?? '',
    );
  }

  private newForm(): FormGroup {
    const form = this.fb.group({
      name: ['', [Validators.required, policyNameValidator]],
      description: ['', Validators.maxLength(1024)],
      repository: this.fb.group(
        { value: [''], decoration: ['matches'], syntax: ['glob'] },
        { validators: patternGroupValidator },
      ),
      tag: this.fb.group(
        { value: [''], decoration: ['matches'], syntax: ['glob'] },
        { validators: patternGroupValidator },
      ),
      labels: this.fb.group({ value: [[] as string[]], decoration: ['matches'] }),
      trigger_type: ['manual'],
      cron: [CRON_PRESETS.daily as string],
      severity_threshold: ['None'],
      mode: ['targeted'],
      tag_scheme: ['floating'],
      tag_suffix: [DEFAULT_TAG_SUFFIX as string, tagSuffixValidator],
      rescan: [true],
      copy_labels: [true],
      delete_original: [false],
      /** default: the service's PATCHING_SIGN_BY_DEFAULT; yes/no: the policy decides. */
      sign: ['default' as SignChoice],
      require_signed_source: [false],
      enabled: [true],
    });
    form.get('trigger_type')!.valueChanges.subscribe((type) => this.cronRequired(form, type === 'scheduled'));
    form.valueChanges.subscribe(() => {
      // A preview is only true for the values it was made with.
      this.preview = null;
      this.previewError = null;
    });
    return form;
  }

  private cronRequired(form: FormGroup, required: boolean): void {
    const cron = form.get('cron')!;
    cron.setValidators(required ? cronValidator : null);
    cron.updateValueAndValidity({ emitEvent: false });
  }

  open(policy: PatchPolicy | null): void {
    this.form = this.newForm();
    this.watchName();
    this.policyId = policy?.id ?? null;
    this.generalErrors = [];
    this.preview = null;
    this.previewError = null;
    if (policy) this.fill(policy);
    this.opened = true;
    this.loadLabels();
  }

  close(): void {
    this.opened = false;
  }

  ngOnDestroy(): void {
    this.nameCheck?.unsubscribe();
  }

  /** Called on keyup in the name field. */
  checkName(): void {
    this.nameChecker.next((this.form.get('name')!.value ?? '').trim());
  }

  /**
   * A fresh check pipeline per opening, so the same name typed again after reopening is checked again.
   * The list API filters by "name contains": the exact name, other than the policy being edited, is taken.
   */
  private watchName(): void {
    this.nameCheck?.unsubscribe();
    this.inNameChecking = false;
    this.nameCheck = this.nameChecker
      .pipe(
        debounceTime(NAME_CHECK_DEBOUNCE_MS),
        distinctUntilChanged(),
        switchMap((name) => {
          const control = this.form.get('name')!;
          if (!name || control.hasError('required') || control.hasError('problem')) return of(null);
          this.inNameChecking = true;
          return this.patching.listPolicies(this.context.project.name, { page: 1, pageSize: 100, name }).pipe(
            map((page) => ({ name, taken: page.items.some((p) => p.name === name && p.id !== this.policyId) })),
            // The check only helps: when it cannot run, saving still gets the server's answer.
            catchError(() => of(null)),
          );
        }),
      )
      .subscribe((result) => {
        this.inNameChecking = false;
        const control = this.form.get('name')!;
        if (!result?.taken || (control.value ?? '').trim() !== result.name) return;
        control.setErrors({ ...(control.errors ?? {}), exists: result.name });
        control.markAsTouched();
      });
  }

  private fill(policy: PatchPolicy): void {
    const byType = (type: string) => policy.filters?.find((f) => f.type === type);
    const repo = byType('repository');
    const tag = byType('tag');
    const labels = byType('label');
    this.form.patchValue({
      name: policy.name,
      description: policy.description ?? '',
      repository: {
        value: (repo?.value as string) ?? '',
        decoration: repo?.decoration ?? 'matches',
        syntax: repo?.syntax ?? 'glob',
      },
      tag: {
        value: (tag?.value as string) ?? '',
        decoration: tag?.decoration ?? 'matches',
        syntax: tag?.syntax ?? 'glob',
      },
      labels: {
        value: Array.isArray(labels?.value) ? [...labels.value] : labels?.value ? [labels.value] : [],
        decoration: labels?.decoration ?? 'matches',
      },
      trigger_type: policy.trigger?.type ?? 'manual',
      cron: policy.trigger?.cron || CRON_PRESETS.daily,
      severity_threshold: policy.severity_threshold ?? 'None',
      mode: policy.mode ?? 'targeted',
      tag_scheme: policy.tag_scheme ?? 'floating',
      tag_suffix: policy.tag_suffix ?? DEFAULT_TAG_SUFFIX,
      rescan: policy.options?.rescan ?? true,
      copy_labels: policy.options?.copy_labels ?? true,
      delete_original: policy.options?.delete_original ?? false,
      sign: signChoice(policy.options?.sign),
      require_signed_source: policy.options?.require_signed_source ?? false,
      enabled: policy.enabled ?? true,
    });
  }

  private loadLabels(): void {
    this.labelsError = false;
    this.harbor.listLabels(this.context.project.project_id).subscribe({
      next: (labels) => (this.labels = labels),
      error: () => (this.labelsError = true),
    });
  }

  toggleLabel(name: string): void {
    const control = this.form.get('labels.value')!;
    const current: string[] = control.value ?? [];
    control.setValue(current.includes(name) ? current.filter((n) => n !== name) : [...current, name]);
    control.markAsDirty();
  }

  labelColor(name: string): string {
    return this.labels.find((l) => l.name === name)?.color || '#48960C';
  }

  /** The request body from the form: unused filters dropped, cron only for a scheduled trigger (like Harbor). */
  toPolicy(): PatchPolicyInput {
    const v = this.form.getRawValue();
    const filters: PolicyFilter[] = [];
    for (const type of ['repository', 'tag'] as const) {
      const value = (v[type].value ?? '').trim();
      if (value) filters.push({ type, value, decoration: v[type].decoration, syntax: v[type].syntax });
    }
    if (v.labels.value?.length)
      filters.push({ type: 'label', value: [...v.labels.value], decoration: v.labels.decoration });
    return {
      name: (v.name ?? '').trim(),
      description: v.description ?? '',
      enabled: !!v.enabled,
      filters,
      trigger:
        v.trigger_type === 'scheduled' ? { type: 'scheduled', cron: (v.cron ?? '').trim() } : { type: v.trigger_type },
      severity_threshold: v.severity_threshold,
      mode: v.mode,
      tag_scheme: v.tag_scheme,
      tag_suffix: (v.tag_suffix ?? '').trim(),
      options: {
        rescan: !!v.rescan,
        copy_labels: !!v.copy_labels,
        delete_original: !!v.delete_original,
        ...(v.sign === 'yes' ? { sign: true } : v.sign === 'no' ? { sign: false } : {}),
        ...(v.require_signed_source ? { require_signed_source: true } : {}),
      },
    };
  }

  /** Puts each error at its field (`filters[1].value` -> the tag pattern); the rest go to the alert at the top. */
  showErrors(errors: ApiError[], body: PatchPolicyInput): void {
    this.generalErrors = [];
    for (const error of errors) {
      const control = error.field ? this.controlOf(error.field, body) : null;
      if (control) {
        control.setErrors({ ...(control.errors ?? {}), server: error.message });
        control.markAsTouched();
      } else {
        this.generalErrors.push(error.message);
      }
    }
  }

  controlOf(field: string, body: PatchPolicyInput): AbstractControl | null {
    const path = fieldPath(field);
    switch (path[0]) {
      case 'name':
      case 'description':
      case 'severity_threshold':
      case 'mode':
      case 'tag_scheme':
      case 'tag_suffix':
      case 'enabled':
        return this.form.get(path[0]);
      case 'trigger':
        return this.form.get(path[1] === 'cron' ? 'cron' : 'trigger_type');
      case 'options':
        return path[1] ? this.form.get(path[1]) : null;
      case 'filters': {
        const filter = body.filters?.[Number(path[1])];
        if (!filter) return null;
        const group = filter.type === 'label' ? 'labels' : filter.type;
        return this.form.get(`${group}.${path[2] === 'decoration' || path[2] === 'syntax' ? path[2] : 'value'}`);
      }
      default:
        return null;
    }
  }

  errorOf(path: string): string | null {
    const control = this.form.get(path);
    if (!control || !control.errors || !(control.touched || control.dirty)) return null;
    return (
      control.errors['server'] ??
      control.errors['problem'] ??
      (control.errors['required'] ? 'required' : control.errors['exists'] ? 'exists' : null)
    );
  }

  save(): void {
    this.form.markAllAsTouched();
    const body = this.toPolicy();
    const local = validatePolicy(body);
    if (local.errors.length) {
      this.showErrors(
        local.errors.map((e) => ({ code: 'BAD_REQUEST', ...e })),
        body,
      );
      return;
    }
    if (this.form.invalid) return;
    this.saving = true;
    this.generalErrors = [];
    const request =
      this.policyId !== null
        ? this.patching.updatePolicy(this.context.project.name, this.policyId, body)
        : this.patching.createPolicy(this.context.project.name, body);
    request.pipe(finalize(() => (this.saving = false))).subscribe({
      next: () => {
        this.opened = false;
        this.saved.emit(body.name);
      },
      error: (e) => this.showErrors(apiErrors(e), body),
    });
  }

  runPreview(): void {
    const body = this.toPolicy();
    // The dry run only needs a valid selection; a missing name is not a reason to refuse it.
    const probe = { ...body, name: body.name || 'preview' };
    const local = validatePolicy(probe);
    if (local.errors.length) {
      this.form.markAllAsTouched();
      this.showErrors(
        local.errors.map((e) => ({ code: 'BAD_REQUEST', ...e })),
        probe,
      );
      return;
    }
    this.previewing = true;
    this.previewError = null;
    this.patching
      .previewPolicy(this.context.project.name, probe)
      .pipe(finalize(() => (this.previewing = false)))
      .subscribe({
        next: (p) => (this.preview = p),
        error: (e) =>
          (this.previewError = apiErrors(e)
            .map((x) => x.message)
            .join('; ')),
      });
  }

  /** The tag a run would write for a source tag, with the form's scheme and suffix. */
  targetTag(tag: string): string {
    return (
      tagPreview(tag, this.form.get('tag_scheme')!.value as TagScheme, this.form.get('tag_suffix')!.value ?? '') ?? '-'
    );
  }

  reasonOf(x: PreviewExclusion): ReasonView {
    return reasonView({ reason: x.reason, status_message: x.message });
  }

  get previewPatchCount(): number {
    return this.preview?.counts?.candidates ?? this.preview?.candidates.length ?? 0;
  }

  /** How many artifacts the dry run would skip, per reason, in words ("15 outside the repository filter"). */
  get previewSkipped(): Phrase[] {
    return reasonCounts(this.preview?.counts?.by_reason);
  }

  /**
   * A new dry-run result is brought into view: it renders below the whole form, far down the modal's
   * scrolling body. Focus moves to it so keyboard and screen-reader users land on it too.
   */
  @ViewChild('previewSection') set previewSection(section: ElementRef<HTMLElement> | undefined) {
    if (!section) return;
    section.nativeElement.scrollIntoView({ block: 'start', behavior: 'smooth' });
    section.nativeElement.focus({ preventScroll: true });
  }

  get previewTotal(): number {
    const p = this.preview;
    if (!p) return 0;
    return p.counts
      ? p.counts.candidates + p.counts.excluded
      : p.candidates.length + p.excluded.reduce((n, x) => n + (x.count || 1), 0);
  }
}

/** The policy's `sign` option in the form: unset is the service's default. */
export type SignChoice = 'default' | 'yes' | 'no';

export function signChoice(sign: boolean | undefined): SignChoice {
  return sign === undefined ? 'default' : sign ? 'yes' : 'no';
}
