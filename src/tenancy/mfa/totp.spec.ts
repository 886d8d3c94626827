import { Secret } from 'otpauth';
import { TotpParameters, matchingTimeStep, newTotpSecret, totpUri } from './totp';

/** RFC 6238 Appendix B: the reference seeds (ASCII) and the 8-digit codes at each time. */
const SEEDS = {
  SHA1: '12345678901234567890',
  SHA256: '12345678901234567890123456789012',
  SHA512: '1234567890123456789012345678901234567890123456789012345678901234',
} as const;

const VECTORS: readonly [seconds: number, algorithm: keyof typeof SEEDS, code: string][] = [
  [59, 'SHA1', '94287082'],
  [59, 'SHA256', '46119246'],
  [59, 'SHA512', '90693936'],
  [1111111109, 'SHA1', '07081804'],
  [1111111109, 'SHA256', '68084774'],
  [1111111109, 'SHA512', '25091201'],
  [1111111111, 'SHA1', '14050471'],
  [1111111111, 'SHA256', '67062674'],
  [1111111111, 'SHA512', '99943326'],
  [1234567890, 'SHA1', '89005924'],
  [1234567890, 'SHA256', '91819424'],
  [1234567890, 'SHA512', '93441116'],
  [2000000000, 'SHA1', '69279037'],
  [2000000000, 'SHA256', '90698825'],
  [2000000000, 'SHA512', '38618901'],
  [20000000000, 'SHA1', '65353130'],
  [20000000000, 'SHA256', '77737706'],
  [20000000000, 'SHA512', '47863826'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(VECTORS)('at T=%i s with %s the code %s matches its time step', (seconds, algorithm, code) => {
    const parameters: TotpParameters = { algorithm, digits: 8, period: 30 };
    const secret = Secret.fromLatin1(SEEDS[algorithm]).base32;
    expect(matchingTimeStep(secret, code, seconds * 1000, parameters)).toBe(Math.floor(seconds / 30));
  });

  it('accepts the code of the step before and after (clock drift), nothing further', () => {
    const parameters: TotpParameters = { algorithm: 'SHA1', digits: 8, period: 30 };
    const secret = Secret.fromLatin1(SEEDS.SHA1).base32;
    // 94287082 is the code of step 1 (T = 30..59 s).
    expect(matchingTimeStep(secret, '94287082', 89_000, parameters)).toBe(1);
    expect(matchingTimeStep(secret, '94287082', 0, parameters)).toBe(1);
    expect(matchingTimeStep(secret, '94287082', 90_000, parameters)).toBeNull();
  });

  it('refuses a wrong code and anything that is not six digits', () => {
    const secret = newTotpSecret();
    expect(matchingTimeStep(secret, 'abcdef', Date.now())).toBeNull();
    expect(matchingTimeStep(secret, '12345', Date.now())).toBeNull();
    expect(matchingTimeStep(secret, '1234567', Date.now())).toBeNull();
  });

  it('makes 160-bit base32 secrets and an otpauth URI authenticator apps read', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
    const uri = totpUri(secret, 'Atrium', 'ada@example.com');
    expect(uri.startsWith('otpauth://totp/Atrium:ada%40example.com?')).toBe(true);
    const query = new URLSearchParams(uri.slice(uri.indexOf('?') + 1));
    expect(Object.fromEntries(query)).toEqual({ issuer: 'Atrium', secret, algorithm: 'SHA1', digits: '6', period: '30' });
  });
});
