import { Migration } from '@mikro-orm/migrations';

/**
 * The history of report signing keys, published without credentials so that an outside auditor
 * can verify any report ever signed: a key is valid from `created_at` (when it first signed)
 * until `retired_at` (when another key took over). The runtime role may set `retired_at` and
 * nothing else: a public key, once published, never changes.
 */
export class Migration20261204120000_signing_key_history extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "signing_keys" add column "retired_at" timestamptz null;`);
    this.addSql(`grant update ("retired_at") on "signing_keys" to atrium_app;`);
  }

  override async down(): Promise<void> {
    this.addSql(`revoke update ("retired_at") on "signing_keys" from atrium_app;`);
    this.addSql(`alter table "signing_keys" drop column if exists "retired_at";`);
  }
}
