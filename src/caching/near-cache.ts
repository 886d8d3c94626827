import { LRUCache } from 'lru-cache';

interface Entry<T> {
  readonly value: T;
  readonly freshUntil: number;
  readonly staleUntil: number;
}

/**
 * A small in-process cache in front of a shared lookup: values are fresh for `freshMs`, then
 * reloaded; if the reload fails (Redis away) a value up to `staleMs` old is served instead.
 * Concurrent loads of one key share one promise (single-flight). Bounded by `maxEntries`, least
 * recently used out first (lru-cache), so the credentials in use stay while one-off ones go.
 *
 * Freshness is kept per entry on the wall clock rather than with lru-cache's `ttl`: an expired
 * entry must stay readable as the fallback while a reload fails, for `staleMs` and no longer.
 */
export class NearCache<T> {
  private readonly entries: LRUCache<string, Entry<T>>;
  private readonly loading = new Map<string, Promise<T>>();

  constructor(
    private readonly freshMs: number,
    private readonly staleMs: number,
    /** Only values passing this are kept (e.g. successful lookups, never failures). */
    private readonly keep: (value: T) => boolean = () => true,
    maxEntries = 10_000,
  ) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  async get(key: string, load: () => Promise<T>): Promise<T> {
    const entry = this.entries.get(key);
    if (entry && entry.freshUntil > Date.now()) return entry.value;
    const pending = this.loading.get(key);
    if (pending) return pending;
    const work = load()
      .then((value) => {
        if (this.keep(value)) this.remember(key, value);
        else this.entries.delete(key);
        return value;
      })
      .catch((error: unknown) => {
        const stale = this.entries.get(key);
        if (stale && stale.staleUntil > Date.now()) return stale.value;
        this.entries.delete(key);
        throw error;
      })
      .finally(() => this.loading.delete(key));
    this.loading.set(key, work);
    return work;
  }

  clear(): void {
    this.entries.clear();
  }

  private remember(key: string, value: T): void {
    const now = Date.now();
    this.entries.set(key, { value, freshUntil: now + this.freshMs, staleUntil: now + this.staleMs });
  }
}
