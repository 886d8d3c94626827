import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppError } from '@app/http';
import { APP_CONFIG, ResolvedConfig } from '../../config';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals the few secrets Atrium has to read back (TOTP seeds, SSO client secrets) with AES-256-GCM
 * under the configured key. `context` (say `totp:<userId>`) is authenticated with the ciphertext,
 * so a sealed value copied to another row or purpose does not open. Format:
 * `v1.<iv>.<tag>.<ciphertext>`, base64url parts; the version leaves room for key rotation.
 */
@Injectable()
export class SecretBox implements OnModuleInit {
  private readonly logger = new Logger(SecretBox.name);
  private readonly key: Buffer;
  /** In production the development key (published in the source) seals nothing: a secret under it would be readable by anyone. */
  private readonly refusesToSeal: boolean;

  constructor(@Inject(APP_CONFIG) private readonly config: ResolvedConfig) {
    this.key = Buffer.from(config.secrets.encryptionKey, 'base64');
    this.refusesToSeal = config.env === 'production' && config.secrets.usingDevelopmentKey;
  }

  onModuleInit(): void {
    if (this.refusesToSeal) {
      this.logger.error('SECRETS_ENCRYPTION_KEY is not set: TOTP enrolment and SSO connections answer 503 until it is');
    }
  }

  seal(plain: string, context: string): string {
    if (this.refusesToSeal) {
      throw new AppError(
        'unavailable',
        'SERVICE_UNAVAILABLE',
        'This server cannot store secrets: its operator has not set SECRETS_ENCRYPTION_KEY.',
        { dependency: 'secrets-encryption-key', headers: { 'retry-after': '60' } },
      );
    }
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** Throws when the value was not sealed under this key and context (tampered, moved, or another key). */
  open(sealed: string, context: string): string {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error('Not a sealed secret of a known version');
    // The full 16-byte tag only: GCM would otherwise accept a truncated one, and a forger its odds.
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }
}
