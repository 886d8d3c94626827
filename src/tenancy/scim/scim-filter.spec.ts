import { AppError } from '@app/http';
import { filterToSql } from './scim-filter';
import { USER_FILTER_ATTRIBUTES } from './scim-users.repository';
import { GROUP_FILTER_ATTRIBUTES } from './scim-groups.repository';

const codeOf = (work: () => unknown): string | undefined => {
  try {
    work();
    return undefined;
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
};

describe('filterToSql', () => {
  it('reads no filter as true', () => {
    expect(filterToSql(undefined, USER_FILTER_ATTRIBUTES)).toEqual({ sql: 'true', params: [] });
    expect(filterToSql('  ', USER_FILTER_ATTRIBUTES)).toEqual({ sql: 'true', params: [] });
  });

  it('compares userName case-insensitively and externalId exactly, with the values as parameters', () => {
    expect(filterToSql('userName eq "Bjensen@Example.com"', USER_FILTER_ATTRIBUTES)).toEqual({
      sql: '(lower(u.email) = lower(?))',
      params: ['Bjensen@Example.com'],
    });
    expect(filterToSql('externalId eq "00u1" and active eq true', USER_FILTER_ATTRIBUTES)).toEqual({
      sql: '((s.external_id = ?) and ((m.user_id is not null) = ?))',
      params: ['00u1', true],
    });
  });

  it('takes the URN-qualified name, value paths, not, pr and the substring operators (escaping LIKE)', () => {
    expect(filterToSql('urn:ietf:params:scim:schemas:core:2.0:User:userName sw "a%_!"', USER_FILTER_ATTRIBUTES)).toEqual({
      sql: "(lower(u.email) like lower(?) escape '!')",
      params: ['a!%!_!!%'],
    });
    expect(filterToSql('emails[type eq "work" and value co "@x"]', USER_FILTER_ATTRIBUTES).params).toEqual(['work', '%@x%']);
    expect(filterToSql('not (displayName pr)', USER_FILTER_ATTRIBUTES).sql).toBe("(not (u.name is not null and u.name <> ''))");
    expect(filterToSql('emails eq "a@x"', USER_FILTER_ATTRIBUTES).sql).toBe('(lower(u.email) = lower(?))');
  });

  it('looks members up in their table', () => {
    expect(filterToSql('members[value eq "abc"]', GROUP_FILTER_ATTRIBUTES).sql).toBe(
      'exists (select 1 from scim_group_members gm where gm.group_id = g.id and (gm.user_id::text = ?))',
    );
  });

  it('refuses bad syntax, unknown attributes and mistyped comparisons as invalidFilter', () => {
    for (const filter of [
      'userName eq',
      'title eq "x"',
      'active eq "yes"',
      'userName eq 3',
      'active co true',
      'userName gt null',
      'x'.repeat(2_001),
    ]) {
      expect({ filter: filter.slice(0, 20), code: codeOf(() => filterToSql(filter, USER_FILTER_ATTRIBUTES)) }).toEqual({
        filter: filter.slice(0, 20),
        code: 'SCIM_INVALID_FILTER',
      });
    }
  });
});
