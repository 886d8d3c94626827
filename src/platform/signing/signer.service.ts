import { KeyObject, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '../../config';
import { TenantDatabase } from '../../tenancy';
import { SigningKeysRepository } from './signing-keys.repository';

/** Where the signing keys are published without credentials. */
export const SIGNING_KEYS_DOCUMENT_PATH = '/.well-known/atrium-signing-keys.json';

export interface Signature {
  readonly algorithm: 'ed25519';
  readonly keyId: string;
  /** Base64 of the 64-byte Ed25519 signature. */
  readonly value: string;
}

/** A public key as published: enough for anyone to verify, and to see when it signed. */
export interface PublishedKey {
  readonly keyId: string;
  readonly algorithm: 'ed25519';
  /** SHA-256 of the SubjectPublicKeyInfo DER, hex; the key id is its first 16 digits. */
  readonly fingerprintSha256: string;
  readonly publicKeyPem: string;
  readonly validFrom: string;
  /** When another key took over; null for the key that signs now. */
  readonly retiredAt: string | null;
}

interface LoadedKey {
  readonly id: string;
  readonly privateKey: KeyObject;
  readonly publicKeyPem: string;
  readonly fingerprintSha256: string;
}

/**
 * Ed25519 signatures for everything Atrium vouches for: audit checkpoints, erasure certificates,
 * compliance reports. The key comes from SIGNING_PRIVATE_KEY; without one, a key is generated once
 * per cluster and kept in `signing_keys`. Public keys stay in that table after a rotation, with the
 * time the next key took over, so a signature made with an older key still verifies by its key id
 * and an auditor can see which key was valid when a report was signed.
 */
@Injectable()
export class Signer {
  private readonly logger = new Logger(Signer.name);
  private current?: Promise<LoadedKey>;
  /** Public keys of earlier keys, by id, as verifications of old signatures look them up. */
  private readonly retiredKeys = new Map<string, string>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly database: TenantDatabase,
    private readonly keys: SigningKeysRepository,
  ) {}

  async sign(data: Buffer | string): Promise<Signature> {
    const key = await this.key();
    return { algorithm: 'ed25519', keyId: key.id, value: sign(null, Buffer.from(data), key.privateKey).toString('base64') };
  }

  async verify(data: Buffer | string, signature: Pick<Signature, 'keyId' | 'value'>): Promise<boolean> {
    const publicKeyPem = await this.publicKeyPem(signature.keyId);
    if (!publicKeyPem) return false;
    try {
      return verify(null, Buffer.from(data), createPublicKey(publicKeyPem), Buffer.from(signature.value, 'base64'));
    } catch {
      return false;
    }
  }

  /** The key that signs now. */
  async publicKey(): Promise<PublishedKey> {
    const key = await this.key();
    const published = (await this.publishedKeys()).find((candidate) => candidate.keyId === key.id);
    if (!published) throw new Error(`The signing key ${key.id} is not in signing_keys`);
    return published;
  }

  /** Every key that ever signed, oldest first. */
  async publishedKeys(): Promise<PublishedKey[]> {
    await this.key();
    const rows = await this.database.global((em) => this.keys.all(em));
    return rows.map((row) => ({
      keyId: row.id,
      algorithm: 'ed25519',
      fingerprintSha256: fingerprintOf(createPublicKey(row.public_key)),
      publicKeyPem: row.public_key,
      validFrom: row.created_at.toISOString(),
      retiredAt: row.retired_at === null ? null : row.retired_at.toISOString(),
    }));
  }

  private async publicKeyPem(keyId: string): Promise<string | undefined> {
    const key = await this.key();
    if (key.id === keyId) return key.publicKeyPem;
    const known = this.retiredKeys.get(keyId);
    if (known) return known;
    const publicKeyPem = await this.database.global((em) => this.keys.publicKeyOf(em, keyId));
    // A key id is the fingerprint of its public key: once found, it never changes.
    if (publicKeyPem) this.retiredKeys.set(keyId, publicKeyPem);
    return publicKeyPem;
  }

  private key(): Promise<LoadedKey> {
    this.current ??= this.load().catch((error: unknown) => {
      this.current = undefined;
      throw error;
    });
    return this.current;
  }

  private async load(): Promise<LoadedKey> {
    const configured = this.config.compliance.signingKeyPem;
    if (configured) {
      const loaded = describe(createPrivateKey(configured));
      await this.database.global(async (em) => {
        await this.keys.insertPublicKey(em, loaded.id, loaded.publicKeyPem);
        await this.keys.retireAllBut(em, loaded.id);
      });
      return loaded;
    }
    return this.database.global(async (em) => {
      // One generated key per cluster, even when instances boot together.
      await this.keys.lockKeyChoice(em);
      const stored = await this.keys.generatedPrivateKey(em);
      if (stored) {
        const loaded = describe(createPrivateKey(stored));
        await this.keys.retireAllBut(em, loaded.id);
        return loaded;
      }
      const { privateKey } = generateKeyPairSync('ed25519');
      const loaded = describe(privateKey);
      await this.keys.insertGeneratedKey(
        em,
        loaded.id,
        loaded.publicKeyPem,
        privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      );
      await this.keys.retireAllBut(em, loaded.id);
      this.logger.warn('Generated an Ed25519 signing key and stored it in the database; set SIGNING_PRIVATE_KEY in production');
      return loaded;
    });
  }
}

function fingerprintOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

function describe(privateKey: KeyObject): LoadedKey {
  const publicKey = createPublicKey(privateKey);
  const fingerprintSha256 = fingerprintOf(publicKey);
  return {
    id: fingerprintSha256.slice(0, 16),
    privateKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprintSha256,
  };
}
