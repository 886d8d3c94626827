import { Migration } from '@mikro-orm/migrations';

/**
 * A v2 audit checkpoint is signed only after the chain since the previous one was recomputed, and
 * records (and signs) the point that verification started from: the previous v2 checkpoint or the
 * chain's start. Verifying then costs the events since the newest checkpoint, not the whole chain
 * (src/compliance/audit/chain-verifier.ts). Older checkpoints keep null here and stay v1.
 */
export class Migration20261205000000_checkpoint_verified_from extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "audit_checkpoints" add column "verified_from_seq" bigint null, add column "verified_from_hash" text null;`);
    this.addSql(`alter table "audit_checkpoints" add constraint "audit_checkpoints_verified_from_check"
      check (("verified_from_seq" is null) = ("verified_from_hash" is null) and ("verified_from_seq" is null or "verified_from_seq" < "seq"));`);
    // Each v2 checkpoint extends the one it was verified from, and only one may: two checkpoint runs
    // overlapping on an org (a run that lost its lease finishing its org) would otherwise fork the chain.
    this.addSql(
      `create unique index "audit_checkpoints_one_successor" on "audit_checkpoints" ("org_id", "verified_from_seq") where "verified_from_seq" is not null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "audit_checkpoints_one_successor";`);
    this.addSql(`alter table "audit_checkpoints" drop constraint "audit_checkpoints_verified_from_check";`);
    this.addSql(`alter table "audit_checkpoints" drop column "verified_from_seq", drop column "verified_from_hash";`);
  }
}
