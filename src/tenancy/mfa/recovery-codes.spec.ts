import { RECOVERY_CODE_COUNT, RECOVERY_CODE_PATTERN, newRecoveryCodes, recoveryCodeHash } from './recovery-codes';

describe('recovery codes', () => {
  it('are ten distinct 80-bit codes in groups of four', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) {
      expect(code).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
      expect(code).toMatch(RECOVERY_CODE_PATTERN);
    }
  });

  it('hash alike however they are typed (dashes, case), and differently from each other', () => {
    const [code, other] = newRecoveryCodes(2);
    const hash = recoveryCodeHash(code);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(recoveryCodeHash(code.toLowerCase())).toBe(hash);
    expect(recoveryCodeHash(code.replace(/-/g, ''))).toBe(hash);
    expect(recoveryCodeHash(other)).not.toBe(hash);
  });
});
