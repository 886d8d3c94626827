import { NearCache } from './near-cache';

describe('NearCache', () => {
  afterEach(() => jest.useRealTimers());

  it('serves fresh values without reloading and shares one load between concurrent misses', async () => {
    const cache = new NearCache<number>(1000, 5000);
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return 42;
    };
    expect(await Promise.all([cache.get('k', load), cache.get('k', load), cache.get('k', load)])).toEqual([42, 42, 42]);
    expect(await cache.get('k', load)).toBe(42);
    expect(loads).toBe(1);
  });

  it('reloads after the fresh period and falls back to the stale value while loads fail', async () => {
    jest.useFakeTimers({ now: 0, doNotFake: ['setTimeout', 'nextTick', 'setImmediate'] });
    const cache = new NearCache<string>(1000, 5000);
    await cache.get('k', async () => 'first');
    jest.setSystemTime(2000);
    expect(await cache.get('k', async () => 'second')).toBe('second');
    jest.setSystemTime(4000);
    expect(await cache.get('k', () => Promise.reject(new Error('redis down')))).toBe('second');
    jest.setSystemTime(8000);
    await expect(cache.get('k', () => Promise.reject(new Error('redis down')))).rejects.toThrow('redis down');
  });

  it('evicts the least recently used entry, not the oldest, when full', async () => {
    const cache = new NearCache<string>(60_000, 60_000, () => true, 2);
    const loads: string[] = [];
    const load = (key: string) => async () => {
      loads.push(key);
      return key;
    };
    await cache.get('a', load('a'));
    await cache.get('b', load('b'));
    await cache.get('a', load('a')); // a is now the most recently used
    await cache.get('c', load('c')); // full: b goes
    await cache.get('a', load('a'));
    await cache.get('b', load('b'));
    expect(loads).toEqual(['a', 'b', 'c', 'b']);
  });

  it('keeps only values that pass `keep`', async () => {
    const cache = new NearCache<{ ok: boolean }>(60_000, 60_000, (value) => value.ok);
    let loads = 0;
    const failure = async () => {
      loads++;
      return { ok: false };
    };
    await cache.get('k', failure);
    await cache.get('k', failure);
    expect(loads).toBe(2);
  });
});
