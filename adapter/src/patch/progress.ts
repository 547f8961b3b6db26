/**
 * Live progress of a patch task. copa's `--progress rawjson` stream (BuildKit SolveStatus objects, one JSON
 * object per line on stderr, among plain log lines) gives copa's part: the running vertex names the stage,
 * the vertexes done out of those known give the fraction. The task's percent weighs its stages (resolve,
 * scan, copa, verify, re-scan), never goes back, and reaches 100 only when the task succeeds.
 */
export interface RawVertex {
  digest: string;
  name?: string;
  started?: string;
  completed?: string;
  error?: string;
}
export interface RawStatus {
  id: string;
  vertex?: string;
  total?: number;
  current: number;
  completed?: string;
}
export interface RawLog {
  vertex?: string;
  stream?: number;
  data?: string;
}
export interface SolveStatus {
  vertexes?: RawVertex[];
  statuses?: RawStatus[];
  logs?: RawLog[];
}

export interface Progress {
  stage: string;
  percent: number;
}

/** copa's own progress: what it is doing, and how much of its work is done (0..1). */
export interface CopaProgress {
  stage: string;
  fraction: number;
}

/**
 * BuildKit reveals copa's solve graph while it runs, so early on only a few vertexes are known: the
 * fraction is taken over at least this many. A targeted patch of a Debian image shows 16 to 21 (the
 * recording in test/patch/fixtures/copa-rawjson.jsonl has 16).
 */
export const EXPECTED_COPA_VERTEXES = 16;

/** The first line of a vertex name, without runs of blanks (some are whole shell scripts). */
function stageText(name: string): string {
  return (name.split('\n').find((l) => l.trim()) ?? name).replace(/\s+/g, ' ').trim();
}

export class ProgressTracker {
  private vertexes = new Map<string, RawVertex>();
  private statuses = new Map<string, RawStatus>();
  private current: CopaProgress = { stage: 'Starting copa', fraction: 0 };

  /** Feeds one SolveStatus; returns copa's progress afterwards and the decoded build output lines. */
  update(s: SolveStatus): { progress: CopaProgress; output: string[] } {
    for (const v of s.vertexes ?? []) this.vertexes.set(v.digest, { ...this.vertexes.get(v.digest), ...v });
    for (const st of s.statuses ?? []) this.statuses.set(st.id, st);
    const output: string[] = [];
    for (const l of s.logs ?? []) {
      if (!l.data) continue;
      const text = Buffer.from(l.data, 'base64').toString('utf8');
      for (const line of text.split('\n')) if (line.trim()) output.push(line.replace(/\r/g, ''));
    }
    // The stage is the most recently started vertex that is still running; else the last completed one.
    const named = [...this.vertexes.values()].filter((v) => v.name && v.started);
    const running = named.filter((v) => !v.completed).sort((a, b) => (a.started! < b.started! ? -1 : 1));
    const done = named.filter((v) => v.completed).sort((a, b) => (a.completed! < b.completed! ? -1 : 1));
    const stageVertex = running.at(-1) ?? done.at(-1);
    // A running vertex counts by its status counters (bytes pulled, layers exported), else as half done.
    let work = done.length;
    for (const v of running) {
      const counters = [...this.statuses.values()].filter((st) => st.vertex === v.digest && (st.total ?? 0) > 0);
      const total = counters.reduce((n, st) => n + (st.total ?? 0), 0);
      const cur = counters.reduce((n, st) => n + Math.min(st.current, st.total ?? 0), 0);
      work += total > 0 ? cur / total : 0.5;
    }
    const fraction = Math.min(1, work / Math.max(this.vertexes.size, EXPECTED_COPA_VERTEXES));
    this.current = {
      stage: stageVertex ? stageText(stageVertex.name!) : this.current.stage,
      fraction: Math.max(this.current.fraction, fraction),
    };
    return { progress: this.current, output };
  }

  get progress(): CopaProgress {
    return this.current;
  }
}

/** The stages of a patch task in order, their default text and their share of the task's percent. */
export const TASK_STAGES = {
  resolve: { weight: 5, text: 'Resolving artifact' },
  scan: { weight: 10, text: 'Scanning original' },
  copa: { weight: 70, text: 'Starting copa' },
  // Signing takes a second or two: it shows as a stage but does not move the percent.
  sign: { weight: 0, text: 'Signing patched image' },
  verify: { weight: 5, text: 'Verifying pushed image' },
  rescan: { weight: 10, text: 'Re-scanning patched image' },
} as const;
export type TaskStage = keyof typeof TASK_STAGES;

/** What the copa stage shows while it reads copa's input, before copa starts. */
export const READING_OS_RELEASE = 'Reading OS release';
export const READING_PLATFORM_IMAGES = 'Reading the platform images';

/** The stage texts of a task before copa can have started ('Queued' is the claim's). */
const BEFORE_COPA: ReadonlySet<string> = new Set([
  'Queued',
  TASK_STAGES.resolve.text,
  TASK_STAGES.scan.text,
  READING_OS_RELEASE,
  READING_PLATFORM_IMAGES,
]);

/**
 * Whether a task at this stage may have started copa: 'Starting copa' counts (copa may have been spawned
 * before its pid was written), as does any later stage. No progress: it had not begun.
 */
export function copaStageReached(stage: string | null | undefined): boolean {
  return stage !== null && stage !== undefined && !BEFORE_COPA.has(stage);
}

/**
 * A task's percent from its stages: a stage starts where the weights of the stages before it end (a skipped
 * stage counts as done) and advances by its own fraction. It never goes back and stays below 100 until the
 * task ends Success (the engine then reports 100).
 */
export class TaskProgressMeter {
  private percent = 0;

  constructor(private readonly report: (p: Progress) => void) {}

  at(stage: TaskStage, fraction = 0, text: string = TASK_STAGES[stage].text): void {
    let start = 0;
    for (const [name, s] of Object.entries(TASK_STAGES)) {
      if (name === stage) break;
      start += s.weight;
    }
    const value = Math.floor(start + TASK_STAGES[stage].weight * Math.min(1, Math.max(0, fraction)));
    this.percent = Math.max(this.percent, Math.min(99, value));
    this.report({ stage: text, percent: this.percent });
  }
}

/** Splits a stderr chunk stream into lines; JSON lines go to `onStatus`, the rest to `onLine`. */
export function lineSplitter(onStatus: (s: SolveStatus) => void, onLine: (line: string) => void) {
  let buf = '';
  const handle = (line: string) => {
    if (line.startsWith('{')) {
      try {
        onStatus(JSON.parse(line) as SolveStatus);
        return;
      } catch {
        // not JSON after all: keep it as text
      }
    }
    if (line.trim()) onLine(line);
  };
  return {
    push(chunk: string) {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        handle(buf.slice(0, i).replace(/\r$/, ''));
        buf = buf.slice(i + 1);
      }
    },
    end() {
      if (buf) handle(buf);
      buf = '';
    },
  };
}
