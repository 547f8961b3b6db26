/** A patch task's context for stage tests: records, log lines and progress are kept; `abort` stops it. */
import { DEFAULT_PATCH_OPTIONS } from '../../../src/model/execution';
import type { PatchContext, TaskRecord } from '../../../src/patch/context';
import { TaskProgressMeter } from '../../../src/patch/progress';

export const SOURCE_DIGEST = `sha256:${'a'.repeat(64)}`;

export function fakeContext(options: Partial<PatchContext['options']> = {}) {
  const controller = new AbortController();
  const records: TaskRecord[] = [];
  const lines: string[] = [];
  const stages: string[] = [];
  const task: PatchContext['task'] = {
    id: 1,
    execution_id: 1,
    project: 'library',
    repository: 'team/app',
    tag: '1.0',
    source_digest: SOURCE_DIGEST,
    status: 'Running',
    reason: null,
    status_message: '',
    patched_tag: null,
    patched_digest: null,
    vulnerabilities_before: null,
    vulnerabilities_after: null,
    fixed_cves: [],
    has_vex: false,
    signed: false,
    vex_referrer: null,
    platforms: null,
    progress: null,
    attempt: 1,
    copa_pid: null,
    copa_seconds: null,
    creation_time: '2026-01-01T00:00:00Z',
    start_time: '2026-01-01T00:00:00Z',
    end_time: null,
    update_time: '2026-01-01T00:00:00Z',
  };
  const ctx: PatchContext = {
    task,
    options: { ...DEFAULT_PATCH_OPTIONS, ...options },
    signal: controller.signal,
    log: (line) => lines.push(line),
    progress: (p) => stages.push(p.stage),
    sourceTagsPatchedInto: async () => [],
    record: async (fields) => {
      records.push(fields);
    },
  };
  return {
    ctx,
    meter: new TaskProgressMeter(ctx.progress),
    records,
    lines,
    stages,
    abort: (reason: 'stopped' | 'timeout') => controller.abort(reason),
  };
}
