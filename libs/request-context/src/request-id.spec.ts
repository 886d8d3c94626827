import { requestIdFrom } from './request-id';

describe('requestIdFrom', () => {
  it.each(['abc', 'a1b2-c3.d4:e5_f6', '0'.repeat(128)])('keeps a sane id (%s)', (id) => {
    expect(requestIdFrom(id)).toBe(id);
  });

  it.each([undefined, '', ' x', 'x y', 'a'.repeat(129), 'é', 'x\nforged: 1', ['a', 'b']])('replaces %p with a new UUID', (sent) => {
    const id = requestIdFrom(sent as string | string[] | undefined);
    expect(id).not.toBe(sent);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
