import { E164, TAG_LIMITS, customFieldsProblem } from './validation';

describe('customFieldsProblem', () => {
  it('accepts a small nested object', () => {
    expect(customFieldsProblem({ tier: 'gold', score: 4, flags: { vip: true, region: { code: 'EU' } } })).toBeNull();
  });

  it.each([
    [[], 'must be an object'],
    ['x', 'must be an object'],
    [Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])), 'may have at most 50 keys'],
    [{ '1bad': 1 }, 'keys must start with a letter and use only letters, digits and _ (at most 64 characters)'],
    [{ a: { b: { c: { d: 1 } } } }, 'may nest at most 3 levels deep'],
    [{ big: 'x'.repeat(9000) }, 'may be at most 8192 bytes as JSON'],
  ])('refuses %p', (value, problem) => {
    expect(customFieldsProblem(value)).toBe(problem);
  });
});

describe('formats', () => {
  it.each(['+14155550123', '+442071838750', '+4930123456'])('E.164 accepts %s', (phone) => expect(E164.test(phone)).toBe(true));
  it.each(['4155550123', '+0123456789', '+1 415 555 0123', '+1234567890123456'])('E.164 refuses %s', (phone) =>
    expect(E164.test(phone)).toBe(false),
  );
  it.each(['vip', 'Q3 lead', 'région-ouest', 'source:web'])('tag pattern accepts %s', (tag) =>
    expect(TAG_LIMITS.pattern.test(tag)).toBe(true),
  );
  it.each([' lead', '-x', '#hash'])('tag pattern refuses %p', (tag) => expect(TAG_LIMITS.pattern.test(tag)).toBe(false));
});
