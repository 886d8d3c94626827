import { MikroORM, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { CRM_ENTITIES } from '../../crm';
import { RETENTION_CATEGORIES, RETENTION_CATEGORY_NAMES } from './retention-categories';
import { PurgeTarget, categoryPurges } from './retention-predicates';

/**
 * The purge statements are nested `knex.raw`s. knex splices a nested raw with empty text in as a
 * bare `?` with no binding, which would shift every value after it; this checks that each statement
 * of every category and action has exactly one binding per placeholder. No connection is opened.
 */
describe('retention purge statements', () => {
  let orm: MikroORM;

  beforeAll(() => {
    orm = MikroORM.initSync({
      driver: PostgreSqlDriver,
      clientUrl: 'postgres://nobody@127.0.0.1:1/unused_test',
      entities: [...CRM_ENTITIES],
      connect: false,
    });
  });

  afterAll(() => orm.close(true));

  const targets = RETENTION_CATEGORY_NAMES.flatMap((category) =>
    RETENTION_CATEGORIES[category].actions.flatMap((action) => {
      const target: PurgeTarget = { orgId: 'org', category, action, cutoff: new Date(1000), now: new Date(2000) };
      const contactDeletion: PurgeTarget = { ...target, category: 'inactive_contacts', action: 'delete' };
      return [target, { ...target, contactDeletion }];
    }),
  );

  it.each(targets.map((target) => [`${target.category} ${target.action}${target.contactDeletion ? ' (contacts deleted)' : ''}`, target]))(
    '%s: one binding per placeholder',
    (_, target) => {
      const purge = categoryPurges(orm.em.getMetadata(), orm.em.getKnex())[target.category];
      for (const statement of [purge.mayBeDue(target), purge.candidates(target), purge.count(target), purge.applyBatch(target, 7)]) {
        const { sql, bindings } = statement.toSQL();

        expect(sql.match(/\?/g)?.length ?? 0).toBe(bindings.length);
        expect(bindings).not.toContain(undefined);
      }
    },
  );

  it('binds the values and quotes the identifiers it is given', () => {
    const target: PurgeTarget = { orgId: 'org', category: 'activities', action: 'anonymise', cutoff: new Date(1000), now: new Date(2000) };
    const { sql, bindings } = categoryPurges(orm.em.getMetadata(), orm.em.getKnex()).activities.applyBatch(target, 7).toSQL();

    expect(sql).toContain('ch.contact_id = "a"."contact_id"');
    expect(sql).toMatch(/limit \?\) returning 1\)/);
    expect(bindings).toEqual(expect.arrayContaining(['org', new Date(1000), '[erased]', 7]));
  });
});
