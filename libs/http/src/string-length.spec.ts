import { validateSync } from 'class-validator';
import { MaxLength, MinLength } from './string-length';

class Named {
  @MinLength(2)
  @MaxLength(4)
  name!: unknown;

  @MaxLength(3, { each: true })
  tags: unknown[] = [];
}

const errorsOf = (name: unknown, tags: unknown[] = []) =>
  validateSync(Object.assign(new Named(), { name, tags })).flatMap((error) => Object.values(error.constraints ?? {}));

describe('MaxLength and MinLength in code points', () => {
  it('counts variation selectors and astral characters as JSON Schema does', () => {
    expect(errorsOf('a\ufe0fb\ufe0f')).toEqual([]);
    expect(errorsOf('a\ufe0fb\ufe0fc')).toEqual(['name must be shorter than or equal to 4 characters']);
    expect(errorsOf('😀😀😀😀')).toEqual([]);
    expect(errorsOf('😀')).toEqual(['name must be longer than or equal to 2 characters']);
  });

  it('refuses non-strings and checks each item when asked', () => {
    expect(errorsOf(42)).toHaveLength(2);
    expect(errorsOf('ok', ['abc', 'abcd'])).toEqual(['each value in tags must be shorter than or equal to 3 characters']);
  });
});
