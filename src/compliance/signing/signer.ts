import { KeyObject, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig, APP_CONFIG } from '../../config';
import { TenantDatabase } from '../../tenancy';

export interface Signature {
  readonly algorithm: 'ed25519';
  readonly keyId: string;
  /** Base64 of the 64-byte Ed25519 signature. */
  readonly value: string;
}

interface LoadedKey {
  readonly id: string;
  readonly privateKey: KeyObject;
  readonly publicKeyPem: string;
}

/**
 * Ed25519 signatures for everything Atrium vouches for: audit checkpoints, erasure certificates,
 * compliance reports. The key comes from SIGNING_PRIVATE_KEY; without one, a key is generated once
 * per cluster and kept in `signing_keys`. Public keys stay in that table after a rotation, so a
 * signature made with an older key still verifies by its key id.
 */
@Injectable()
export class Signer {
  private readonly logger = new Logger(Signer.name);
  private current?: Promise<LoadedKey>;

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

  /** The key that signs now: its id and SPKI PEM, for anyone to verify with. */
  async publicKey(): Promise<{ keyId: string; algorithm: 'ed25519'; publicKeyPem: string }> {
    const key = await this.key();
    return { keyId: key.id, algorithm: 'ed25519', publicKeyPem: key.publicKeyPem };
  }

  private async publicKeyPem(keyId: string): Promise<string | undefined> {
    const key = await this.key();
    if (key.id === keyId) return key.publicKeyPem;
    const rows = await this.database.global((em) =>
      em.execute<{ public_key: string }[]>('select public_key from signing_keys where id = ?', [keyId]),
    );
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
      const privateKey = createPrivateKey(configured);
      const loaded = describe(privateKey);
      await this.database.global((em) =>
        em.execute('insert into signing_keys (id, public_key) values (?, ?) on conflict (id) do nothing', [loaded.id, loaded.publicKeyPem]),
      );
      return loaded;
    }
    return this.database.global(async (em) => {
      // One generated key per cluster, even when instances boot together.
      await em.execute("select pg_advisory_xact_lock(hashtext('atrium.signing-key'))");
      const [stored] = await em.execute<{ private_key: string }[]>(
        'select private_key from signing_keys where private_key is not null order by created_at limit 1',
      );
      if (stored) return describe(createPrivateKey(stored.private_key));
      const { privateKey } = generateKeyPairSync('ed25519');
      const loaded = describe(privateKey);
      await em.execute('insert into signing_keys (id, public_key, private_key) values (?, ?, ?)', [
        loaded.id,
        loaded.publicKeyPem,
        privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      ]);
      this.logger.warn('Generated an Ed25519 signing key and stored it in the database; set SIGNING_PRIVATE_KEY in production');
      return loaded;
    });
  }
}

function describe(privateKey: KeyObject): LoadedKey {
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return {
    id: createHash('sha256').update(der).digest('hex').slice(0, 16),
    privateKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}
