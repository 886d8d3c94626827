import { EntityManager } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

/** A key as published: its public half, when it began to sign and when another took over. */
export interface SigningKeyRow {
  id: string;
  public_key: string;
  created_at: Date;
  retired_at: Date | null;
}

/** timestamptz columns arrive as text: MikroORM turns pg's date parsing off. */
type StoredSigningKeyRow = Omit<SigningKeyRow, 'created_at' | 'retired_at'> & { created_at: string; retired_at: string | null };

/**
 * The SQL of `signing_keys`, a global table (keys sign for every org); each call runs in the
 * caller's global transaction.
 */
@Injectable()
export class SigningKeysRepository {
  /** Every key that ever signed, oldest first. */
  async all(em: EntityManager): Promise<SigningKeyRow[]> {
    const rows = await em.execute<StoredSigningKeyRow[]>(
      'select id, public_key, created_at, retired_at from signing_keys order by created_at, id',
    );
    return rows.map((row) => ({
      ...row,
      created_at: new Date(row.created_at),
      retired_at: row.retired_at === null ? null : new Date(row.retired_at),
    }));
  }

  async publicKeyOf(em: EntityManager, keyId: string): Promise<string | undefined> {
    const rows = await em.execute<{ public_key: string }[]>('select public_key from signing_keys where id = ?', [keyId]);
    return rows[0]?.public_key;
  }

  /** Records a configured key's public half, once. */
  async insertPublicKey(em: EntityManager, keyId: string, publicKeyPem: string): Promise<void> {
    await em.execute('insert into signing_keys (id, public_key) values (?, ?) on conflict (id) do nothing', [keyId, publicKeyPem]);
  }

  /** Waits, until the transaction ends, for any other instance choosing or generating the key: one generated key per cluster. */
  async lockKeyChoice(em: EntityManager): Promise<void> {
    await em.execute("select pg_advisory_xact_lock(hashtext('atrium.signing-key'))");
  }

  /** The oldest generated key's private half (PEM), if one was generated. */
  async generatedPrivateKey(em: EntityManager): Promise<string | undefined> {
    const [stored] = await em.execute<{ private_key: string }[]>(
      'select private_key from signing_keys where private_key is not null order by created_at limit 1',
    );
    return stored?.private_key;
  }

  async insertGeneratedKey(em: EntityManager, keyId: string, publicKeyPem: string, privateKeyPem: string): Promise<void> {
    await em.execute('insert into signing_keys (id, public_key, private_key) values (?, ?, ?)', [keyId, publicKeyPem, privateKeyPem]);
  }

  /** The key that signs now is the one not retired; a key taken back into use is current again. */
  async retireAllBut(em: EntityManager, keyId: string): Promise<void> {
    await em.execute(
      `update signing_keys set retired_at = case when id = ? then null else now() end
     where (id = ? and retired_at is not null) or (id <> ? and retired_at is null)`,
      [keyId, keyId, keyId],
    );
  }
}
