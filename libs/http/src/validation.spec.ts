import { ValidationError as ClassValidatorError } from '@nestjs/common';
import { toFieldErrors } from './validation';

describe('toFieldErrors', () => {
  it('flattens nested errors into dotted paths and names unknown fields plainly', () => {
    const errors: ClassValidatorError[] = [
      { property: 'email', constraints: { isEmail: 'email must be an email' }, children: [] },
      { property: 'extra', constraints: { whitelistValidation: 'property extra should not exist' }, children: [] },
      {
        property: 'address',
        children: [{ property: 'zip', constraints: { maxLength: 'zip must be shorter than or equal to 10 characters' }, children: [] }],
      },
    ];
    expect(toFieldErrors(errors)).toEqual([
      { field: 'email', message: 'email must be an email' },
      { field: 'extra', message: 'is not an allowed field' },
      { field: 'address.zip', message: 'zip must be shorter than or equal to 10 characters' },
    ]);
  });
});
