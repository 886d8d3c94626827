import { checkPassword } from './password-policy';

describe('checkPassword', () => {
  it.each(['correct horse battery', 'T1me-for-a-long-walk', 'ünïcödé-pässwörd'])('accepts %s', (password) => {
    expect(checkPassword(password, { email: 'ada@example.com', name: 'Ada Lovelace' })).toEqual([]);
  });

  it.each([
    ['short1!', 'must be at least 12 characters'],
    ['password1234', 'is too common or too easy to guess'],
    ['Password2024!', 'is too common or too easy to guess'],
    ['aaaaaaaaaaaaaa', 'is too common or too easy to guess'],
    ['123456789012', 'is too common or too easy to guess'],
    ['abcdefghijklm', 'is too common or too easy to guess'],
    ['lovelace2024!', 'is too common or too easy to guess'],
  ])('refuses %s', (password, message) => {
    expect(checkPassword(password, { email: 'ada@example.com', name: 'Ada Lovelace' })).toEqual([{ field: 'password', message }]);
  });
});
