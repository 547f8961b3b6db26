/**
 * Live progress from copa's `--progress rawjson` stream: BuildKit SolveStatus objects, one JSON object
 * per line on stderr, interleaved with plain log lines. Vertex start/complete events give the stage,
 * status counters (current/total) of the running vertexes give the percent.
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

export class ProgressTracker {
  private vertexes = new Map<string, RawVertex>();
  private statuses = new Map<string, RawStatus>();
  private current: Progress = { stage: 'Starting copa', percent: 0 };

  /** Feeds one SolveStatus; returns the progress afterwards and the decoded build output lines. */
  update(s: SolveStatus): { progress: Progress; output: string[] } {
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
    if (stageVertex) {
      const counters = [...this.statuses.values()].filter(
        (st) => st.vertex === stageVertex.digest && (st.total ?? 0) > 0,
      );
      let percent: number;
      if (stageVertex.completed) percent = 100;
      else if (counters.length > 0) {
        const total = counters.reduce((n, st) => n + (st.total ?? 0), 0);
        const cur = counters.reduce((n, st) => n + Math.min(st.current, st.total ?? 0), 0);
        percent = Math.floor((100 * cur) / total);
      } else percent = 0;
      this.current = { stage: stageVertex.name!, percent };
    }
    return { progress: this.current, output };
  }

  get progress(): Progress {
    return this.current;
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
