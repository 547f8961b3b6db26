/**
 * The buildkitd endpoints copa runs against (PATCHING_BUILDKIT_ADDR), each with its own number of copa
 * slots. A task holds a slot only for its copa run (patch/stages/run-copa.ts): scans, registry reads,
 * verification, labels and re-scans happen outside the slots.
 *
 * - A slot is taken on a usable endpoint (healthy, or not checked yet) with a free slot, the least loaded
 *   first (in-use / slots), then the one listed first. With no free slot the caller waits, first come
 *   first served, until one is released or its task is stopped.
 * - An endpoint whose check fails (every PATCHING_BUILDKIT_CHECK_SECONDS, and on every health call), or
 *   that copa reports unreachable, is taken out; it is put back when its check answers again.
 * - When no endpoint is usable, a caller gets an error at once (its task fails BUILDKIT_UNREACHABLE, which
 *   the engine retries as a transient failure) after one fresh check of every endpoint.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { BuildkitEndpoint } from '../config/config';
import type { CopaSlot, CopaSlots } from '../patch/context';
import { probeBuildkitd, type ProbeResult } from './buildkit-probe';

export type EndpointState = 'unknown' | 'healthy' | 'unhealthy';

export interface EndpointView {
  /** 1-based position in the configured list (the metrics' `endpoint` label). */
  index: number;
  addr: string;
  slots: number;
  inUse: number;
  state: EndpointState;
  /** Why it is unhealthy. */
  error?: string;
  /** ISO time of the last check or report. */
  since?: string;
}

interface Endpoint extends EndpointView {
  copaRuns: number;
}

interface Waiter {
  resolve: (slot: CopaSlot) => void;
  reject: (err: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
  since: number;
}

export class BuildkitUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildkitUnavailableError';
  }
}

export interface BuildkitPoolOptions {
  /** Checks every endpoint this often once started (default 10 s). */
  checkIntervalMs?: number;
  probe?: (addr: string) => Promise<ProbeResult>;
  /** Told when an endpoint changes state (for the service log). */
  onStateChange?: (endpoint: EndpointView, previous: EndpointState) => void;
}

export class BuildkitPool implements CopaSlots {
  private readonly endpoints: Endpoint[];
  private readonly waiters: Waiter[] = [];
  private readonly probe: (addr: string) => Promise<ProbeResult>;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private readonly overhead = new Histogram({
    name: 'patching_copa_slot_overhead_seconds',
    help: 'Time a task held a copa slot beyond the copa process itself',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5],
    registers: [],
  });
  private readonly wait = new Histogram({
    name: 'patching_copa_slot_wait_seconds',
    help: 'Time a task waited for a free copa slot',
    buckets: [0.01, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900],
    registers: [],
  });

  constructor(
    endpoints: readonly BuildkitEndpoint[],
    private readonly opts: BuildkitPoolOptions = {},
  ) {
    if (endpoints.length === 0) throw new Error('the buildkitd pool needs at least one endpoint');
    this.endpoints = endpoints.map((e, i) => ({
      index: i + 1,
      addr: e.addr,
      slots: e.slots,
      inUse: 0,
      state: 'unknown',
      copaRuns: 0,
    }));
    this.probe = opts.probe ?? ((addr) => probeBuildkitd(addr));
  }

  get totalSlots(): number {
    return this.endpoints.reduce((n, e) => n + e.slots, 0);
  }

  list(): EndpointView[] {
    return this.endpoints.map((e) => ({
      index: e.index,
      addr: e.addr,
      slots: e.slots,
      inUse: e.inUse,
      state: e.state,
      ...(e.error !== undefined ? { error: e.error } : {}),
      ...(e.since !== undefined ? { since: e.since } : {}),
    }));
  }

  /** Checks every endpoint now and then periodically. */
  start(): void {
    if (this.timer) return;
    void this.checkAll();
    this.timer = setInterval(() => void this.checkAll(), this.opts.checkIntervalMs ?? 10_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Checks every endpoint (one check at a time: callers during a check share it). */
  checkAll(): Promise<void> {
    this.checking ??= Promise.all(this.endpoints.map((e) => this.check(e.index))).then(
      () => {
        this.checking = undefined;
      },
      () => {
        this.checking = undefined;
      },
    );
    return this.checking;
  }

  /** Checks one endpoint (1-based index), takes it out or puts it back, and returns its state. */
  async check(index: number): Promise<EndpointView & { result: ProbeResult }> {
    const e = this.endpoints[index - 1];
    if (!e) throw new Error(`no buildkitd endpoint ${index}`);
    const result = await this.probe(e.addr).catch((err: unknown): ProbeResult => ({
      ok: false,
      detail: e.addr,
      error: String(err),
    }));
    this.setState(e, result.ok ? 'healthy' : 'unhealthy', result.error);
    return { ...this.list()[index - 1]!, result };
  }

  async acquire(signal: AbortSignal): Promise<CopaSlot> {
    signal.throwIfAborted();
    const since = performance.now();
    let slot = this.take(since);
    if (slot) return slot;
    if (this.usable().length === 0) {
      await this.checkAll();
      signal.throwIfAborted();
      slot = this.take(since);
      if (slot) return slot;
      if (this.usable().length === 0) throw new BuildkitUnavailableError(this.describeDown());
    }
    return new Promise<CopaSlot>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        since,
        onAbort: () => {
          this.removeWaiter(waiter);
          reject(signal.reason);
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  markUnreachable(addr: string, error: string): void {
    const e = this.endpoints.find((x) => x.addr === addr);
    if (e) this.setState(e, 'unhealthy', error);
  }

  /** Adds the pool's gauges and histograms to a Prometheus registry. */
  registerMetrics(registry: Registry): void {
    const endpoints = () => this.endpoints;
    const gauge = (name: string, help: string, value: (e: Endpoint) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['endpoint'],
        registers: [registry],
        collect() {
          for (const e of endpoints()) this.set({ endpoint: String(e.index) }, value(e));
        },
      });
    gauge('patching_buildkitd_up', 'Whether the buildkitd endpoint is in use (1) or taken out (0)', (e) =>
      e.state === 'unhealthy' ? 0 : 1,
    );
    gauge('patching_buildkitd_slots', 'copa slots of the buildkitd endpoint', (e) => e.slots);
    gauge('patching_buildkitd_slots_in_use', 'copa slots of the buildkitd endpoint in use', (e) => e.inUse);
    new Counter({
      name: 'patching_buildkitd_copa_runs_total',
      help: 'copa runs started on the buildkitd endpoint',
      labelNames: ['endpoint'],
      registers: [registry],
      collect() {
        this.reset();
        for (const e of endpoints()) this.inc({ endpoint: String(e.index) }, e.copaRuns);
      },
    });
    registry.registerMetric(this.overhead);
    registry.registerMetric(this.wait);
  }

  // ---- slot accounting ----

  private usable(): Endpoint[] {
    return this.endpoints.filter((e) => e.state !== 'unhealthy');
  }

  /** The least loaded usable endpoint with a free slot, or undefined. */
  private choose(): Endpoint | undefined {
    let best: Endpoint | undefined;
    for (const e of this.usable()) {
      if (e.inUse >= e.slots) continue;
      if (!best || e.inUse / e.slots < best.inUse / best.slots) best = e;
    }
    return best;
  }

  private take(since: number): CopaSlot | undefined {
    const e = this.choose();
    if (!e) return undefined;
    e.inUse++;
    e.copaRuns++;
    const heldFrom = performance.now();
    const waitedSeconds = (heldFrom - since) / 1000;
    this.wait.observe(waitedSeconds);
    let released = false;
    return {
      addr: e.addr,
      waitedSeconds,
      release: (copaSeconds) => {
        const heldSeconds = (performance.now() - heldFrom) / 1000;
        if (released) return { heldSeconds };
        released = true;
        e.inUse--;
        this.dispatch();
        if (copaSeconds === undefined) return { heldSeconds };
        const overheadSeconds = Math.max(0, heldSeconds - copaSeconds);
        this.overhead.observe(overheadSeconds);
        return { heldSeconds, overheadSeconds };
      },
    };
  }

  /** Hands free slots to waiters in arrival order; fails them all when no endpoint is usable. */
  private dispatch(): void {
    while (this.waiters.length > 0) {
      const w = this.waiters[0]!;
      const slot = this.take(w.since);
      if (!slot) break;
      this.removeWaiter(w);
      w.resolve(slot);
    }
    if (this.waiters.length > 0 && this.usable().length === 0) {
      const err = new BuildkitUnavailableError(this.describeDown());
      for (const w of this.waiters.splice(0)) {
        w.signal.removeEventListener('abort', w.onAbort);
        w.reject(err);
      }
    }
  }

  private removeWaiter(w: Waiter): void {
    const i = this.waiters.indexOf(w);
    if (i >= 0) this.waiters.splice(i, 1);
    w.signal.removeEventListener('abort', w.onAbort);
  }

  private setState(e: Endpoint, state: EndpointState, error?: string): void {
    const previous = e.state;
    e.state = state;
    e.error = state === 'unhealthy' ? error : undefined;
    e.since = new Date().toISOString();
    if (previous !== state) this.opts.onStateChange?.(this.list()[e.index - 1]!, previous);
    this.dispatch();
  }

  private describeDown(): string {
    const parts = this.endpoints.map((e) => `${e.addr}: ${e.error ?? 'unhealthy'}`);
    return `no buildkitd answers (${parts.join('; ')}); start buildkitd or fix PATCHING_BUILDKIT_ADDR`;
  }
}
