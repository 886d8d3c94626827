import { jsonNestingExceeds, unstorableValueErrors } from './json-limits';

const fieldsOf = (value: unknown) => unstorableValueErrors(value).map((error) => error.field);
import { parseRfc3339 } from './transforms';

describe('jsonNestingExceeds', () => {
  it('counts objects and arrays, not brackets inside strings', () => {
    expect(jsonNestingExceeds('{"a":[{"b":1}]}', 3)).toBe(false);
    expect(jsonNestingExceeds('{"a":[{"b":[1]}]}', 3)).toBe(true);
    expect(jsonNestingExceeds(`{"a":"${'['.repeat(100)}"}`, 1)).toBe(false);
    expect(jsonNestingExceeds(`{"a":"\\"[[[["}`, 1)).toBe(false);
  });

  it('walks 100,000 levels without recursion', () => {
    expect(jsonNestingExceeds('['.repeat(100_000) + ']'.repeat(100_000), 32)).toBe(true);
  });
});

describe('unstorableValueErrors', () => {
  it('finds lone surrogates and NUL in values and keys, at any depth', () => {
    const value = { ok: 'fine 😀', bad: 'x\ud800', list: ['a', 'b\u0000'], nested: { ['k\udc00']: 1 } };
    expect(fieldsOf(value).sort()).toEqual(['bad', 'list.1', 'nested.k\ufffd']);
  });

  it('returns nothing for well-formed data and stops after a few paths', () => {
    expect(fieldsOf({ a: ['x', { b: 'y' }], c: 1, d: null, e: [true, 2.5, null] })).toEqual([]);
    expect(fieldsOf(Array.from({ length: 1000 }, () => '\u0000'))).toHaveLength(20);
  });

  it('finds numbers JSON.parse made infinite, which would be stored as null', () => {
    const errors = unstorableValueErrors(JSON.parse('{"custom":{"k":1e999},"n":[-1e999]}'));
    expect(errors.sort((a, b) => a.field.localeCompare(b.field))).toEqual([
      { field: 'custom.k', message: 'custom.k must be a finite number' },
      { field: 'n.0', message: 'n.0 must be a finite number' },
    ]);
  });
});

describe('parseRfc3339', () => {
  it.each(['2026-01-31T09:30:00Z', '2026-01-31t09:30:00.5z', '2026-01-31T09:30:00.123456789+05:30', '2024-02-29T00:00:00-00:00'])(
    'reads %s',
    (text) => expect(parseRfc3339(text)).toBeInstanceOf(Date),
  );

  it.each([
    "' OR '1'='1",
    'x 1',
    '2026-01-31',
    '2026-01-31 09:30:00Z',
    '2026-02-29T00:00:00Z',
    '2026-01-31T24:00:00Z',
    '2026-01-31T09:30:00',
    '2026-01-31T09:30:00+5:30',
  ])('refuses %s', (text) => expect(parseRfc3339(text)).toBeUndefined());
});
