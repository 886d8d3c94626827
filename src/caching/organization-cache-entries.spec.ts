import { createCache } from 'cache-manager';
import { CacheableMemory } from 'cacheable';
import { Keyv } from 'keyv';
import { OrganizationCacheEntries } from './organization-cache-entries';

const ORG_A = '01a21b10-0000-7000-8000-00000000000a';
const ORG_B = '01a21b10-0000-7000-8000-00000000000b';

/** The in-process LRU as caching.module.ts builds it in embedded mode (no Redis). */
function inProcessCache() {
  return createCache({ ttl: 60_000, stores: [new Keyv({ store: new CacheableMemory({ lruSize: 100, ttl: 60_000 }) })] });
}

describe('OrganizationCacheEntries (in-process store)', () => {
  it('deletes every response and query entry of one org, and nothing else', async () => {
    const cache = inProcessCache();
    await cache.set(`r:${ORG_A}:1.2:abc`, JSON.stringify({ name: 'Grace Hopper' }));
    await cache.set(`q:${ORG_A}:contact:1.2.3:id`, JSON.stringify({ email: 'grace@navy.example' }));
    await cache.set(`r:${ORG_B}:1.2:abc`, JSON.stringify({ name: 'Grace Hopper' }));
    await cache.set(`user:${ORG_A}:x`, 'not a cache entry of the org');
    const entries = new OrganizationCacheEntries(cache, null);

    expect(entries.store).toBe('in-process');
    expect(await entries.scan(ORG_A, ['GRACE'])).toEqual({ store: 'in-process', scanned: 2, matching: 2 });
    expect(await entries.purge(ORG_A)).toBe(2);
    expect(await entries.scan(ORG_A, ['grace'])).toEqual({ store: 'in-process', scanned: 0, matching: 0 });
    expect(await cache.get(`r:${ORG_B}:1.2:abc`)).toBeDefined();
    expect(await cache.get(`user:${ORG_A}:x`)).toBe('not a cache entry of the org');
  });

  it('counts entries holding any of the searched values, case-insensitively, never returning them', async () => {
    const cache = inProcessCache();
    await cache.set(`q:${ORG_A}:contact:1:a`, JSON.stringify({ phone: '+14155550123' }));
    await cache.set(`q:${ORG_A}:contact:1:b`, JSON.stringify({ name: 'Someone Else' }));
    const entries = new OrganizationCacheEntries(cache, null);
    expect(await entries.scan(ORG_A, ['+14155550123', 'NOBODY'])).toEqual({ store: 'in-process', scanned: 2, matching: 1 });
    expect(await entries.scan(ORG_A, [''])).toEqual({ store: 'in-process', scanned: 2, matching: 0 });
  });
});
