import { KeyObject, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '../../config';
import { TenantDatabase } from '../../tenancy';

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

interface KeyRow {
  id: string;
  public_key: string;
  created_at: string | Date;
  retired_at: string | Date | null;
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
    const rows = await this.database.global((em) =>
      em.execute<KeyRow[]>('select id, public_key, created_at, retired_at from signing_keys order by created_at, id'),
    );
    return rows.map((row) => ({
      keyId: row.id,
      algorithm: 'ed25519',
      fingerprintSha256: fingerprintOf(createPublicKey(row.public_key)),
      publicKeyPem: row.public_key,
      validFrom: new Date(row.created_at).toISOString(),
      retiredAt: row.retired_at === null ? null : new Date(row.retired_at).toISOString(),
    }));
  }

  private async publicKeyPem(keyId: string): Promise<string | undefined> {
    const key = await this.key();
    if (key.id === keyId) return key.publicKeyPem;
    const known = this.retiredKeys.get(keyId);
    if (known) return known;
    const rows = await this.database.global((em) =>
      em.execute<{ public_key: string }[]>('select public_key from signing_keys where id = ?', [keyId]),
    );
    // A key id is the fingerprint of its public key: once found, it never changes.
    if (rows[0]) this.retiredKeys.set(keyId, rows[0].public_key);
    return rows[0]?.public_key;
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
        await em.execute('insert into signing_keys (id, public_key) values (?, ?) on conflict (id) do nothing', [
          loaded.id,
          loaded.publicKeyPem,
        ]);
        await retireAllBut(em, loaded.id);
      });
      return loaded;
    }
    return this.database.global(async (em) => {
      // One generated key per cluster, even when instances boot together.
      await em.execute("select pg_advisory_xact_lock(hashtext('atrium.signing-key'))");
      const [stored] = await em.execute<{ private_key: string }[]>(
        'select private_key from signing_keys where private_key is not null order by created_at limit 1',
      );
      if (stored) {
        const loaded = describe(createPrivateKey(stored.private_key));
        await retireAllBut(em, loaded.id);
        return loaded;
      }
      const { privateKey } = generateKeyPairSync('ed25519');
      const loaded = describe(privateKey);
      await em.execute('insert into signing_keys (id, public_key, private_key) values (?, ?, ?)', [
        loaded.id,
        loaded.publicKeyPem,
        privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      ]);
      await retireAllBut(em, loaded.id);
      this.logger.warn('Generated an Ed25519 signing key and stored it in the database; set SIGNING_PRIVATE_KEY in production');
      return loaded;
    });
  }
}

/** The key that signs now is the one not retired; a key taken back into use is current again. */
async function retireAllBut(em: EntityManager, keyId: string): Promise<void> {
  await em.execute(
    `update signing_keys set retired_at = case when id = ? then null else now() end
     where (id = ? and retired_at is not null) or (id <> ? and retired_at is null)`,
    [keyId, keyId, keyId],
  );
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
