import { loadConfig, withDatabaseUrl } from '../../config';
import { SecretBox } from './secret-box';

const boxWith = (env: NodeJS.ProcessEnv) => new SecretBox(withDatabaseUrl(loadConfig(env), 'postgres://localhost/test'));

describe('SecretBox', () => {
  const box = boxWith({});

  it('opens what it sealed, under the same context', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP', 'totp:user-1');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed, 'totp:user-1')).toBe('JBSWY3DPEHPK3PXP');
    expect(box.seal('JBSWY3DPEHPK3PXP', 'totp:user-1')).not.toBe(sealed);
  });

  it('refuses another context, a tampered value and another key', () => {
    const sealed = box.seal('secret', 'totp:user-1');
    expect(() => box.open(sealed, 'totp:user-2')).toThrow();
    const [version, iv, tag, ciphertext] = sealed.split('.');
    const flipped = Buffer.from(ciphertext, 'base64url');
    flipped[0] ^= 1;
    expect(() => box.open([version, iv, tag, flipped.toString('base64url')].join('.'), 'totp:user-1')).toThrow();
    // A truncated tag (GCM alone would check only its first bytes) is refused too.
    expect(() =>
      box.open([version, iv, Buffer.from(tag, 'base64url').subarray(0, 4).toString('base64url'), ciphertext].join('.'), 'totp:user-1'),
    ).toThrow();
    const other = boxWith({ SECRETS_ENCRYPTION_KEY: 'ab'.repeat(32) });
    expect(() => other.open(sealed, 'totp:user-1')).toThrow();
  });

  it('takes the key as 64 hex characters or base64 and refuses anything else', () => {
    expect(loadConfig({ SECRETS_ENCRYPTION_KEY: 'ab'.repeat(32) }).secrets).toEqual({
      encryptionKey: Buffer.alloc(32, 0xab).toString('base64'),
      usingDevelopmentKey: false,
    });
    expect(loadConfig({ SECRETS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') }).secrets.usingDevelopmentKey).toBe(false);
    expect(loadConfig({}).secrets.usingDevelopmentKey).toBe(true);
    expect(() => loadConfig({ SECRETS_ENCRYPTION_KEY: 'too-short' })).toThrow(/SECRETS_ENCRYPTION_KEY must be 32 bytes/);
  });

  it('refuses to seal under the development key in production; a configured key seals', () => {
    const production = boxWith({ NODE_ENV: 'production' });
    expect(() => production.seal('secret', 'totp:user-1')).toThrow(
      expect.objectContaining({ kind: 'unavailable', code: 'SERVICE_UNAVAILABLE' }),
    );
    const keyed = boxWith({ NODE_ENV: 'production', SECRETS_ENCRYPTION_KEY: 'ab'.repeat(32) });
    expect(keyed.open(keyed.seal('secret', 'totp:user-1'), 'totp:user-1')).toBe('secret');
  });
});
