import { BoundedLabel } from './bounded-label';

describe('BoundedLabel', () => {
  it('keeps the first N values and folds the rest into other', () => {
    const label = new BoundedLabel(2);
    expect(['a', 'b', 'c', 'a', 'd', 'b'].map((v) => label.of(v))).toEqual(['a', 'b', 'other', 'a', 'other', 'b']);
    expect(label.of(undefined)).toBe('none');
  });
});
