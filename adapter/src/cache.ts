/**
 * Answers by key, kept briefly. Callers asking for the same key while it loads share that one load;
 * a settled answer is kept `ttlMs` after it settled (0: not kept at all). Failed loads, and answers
 * `keep` refuses (e.g. "Harbor did not answer"), are forgotten at once.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { expires: number; value: Promise<V> }>();
  private readonly maxEntries: number;
  private readonly keep: (value: V) => boolean;

  constructor(
    private readonly ttlMs: number,
    options: { maxEntries?: number; keep?: (value: V) => boolean } = {},
  ) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.keep = options.keep ?? (() => true);
  }

  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.value;
    if (this.entries.size >= this.maxEntries) {
      for (const [k, e] of this.entries) if (e.expires <= now) this.entries.delete(k);
      if (this.entries.size >= this.maxEntries) this.entries.clear();
    }
    const value = load();
    const entry = { expires: Number.POSITIVE_INFINITY, value };
    this.entries.set(key, entry);
    const forget = () => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    };
    value.then((v) => {
      if (this.ttlMs > 0 && this.keep(v)) entry.expires = Date.now() + this.ttlMs;
      else forget();
    }, forget);
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
