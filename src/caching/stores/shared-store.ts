/**
 * Small key-value state every instance must see alike: sessions, counters, version stamps.
 * Redis in production; an in-process map in embedded mode (one instance, nothing to share).
 * Keys are namespaced by the caller; anything tenant-owned carries its org id in the key.
 */
export interface SharedStore {
  readonly kind: 'redis' | 'in-process';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(...keys: string[]): Promise<void>;
  expire(key: string, ttlMs: number): Promise<void>;
  addToSet(key: string, member: string, ttlMs: number): Promise<void>;
  removeFromSet(key: string, member: string): Promise<void>;
  setMembers(key: string): Promise<string[]>;
  /** Atomically adds one; a missing key counts from 0. Returns the new value. */
  increment(key: string): Promise<number>;
  /** Values of several keys in one round trip, null where missing. */
  getMany(keys: readonly string[]): Promise<(string | null)[]>;
}

export const SHARED_STORE = Symbol('SHARED_STORE');
