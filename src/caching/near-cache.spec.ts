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
});
