import { AppError } from '@app/http';
import { groupChangesFromPatch } from './scim-group-input';
import { parsePatchRequest, parsePath } from './scim-patch';
import { userChangesFromPatch, userFromResource } from './scim-user-input';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const patch = (...Operations: object[]) => parsePatchRequest({ schemas: [PATCH], Operations });
const codeOf = (work: () => unknown): string | undefined => {
  try {
    work();
    return undefined;
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
};

describe('parsePath', () => {
  it('splits attribute, filter and sub-attribute, and tells extension attributes apart', () => {
    expect(parsePath('name.givenName')).toEqual({ attribute: 'name', subAttribute: 'givenname', extension: false });
    expect(parsePath(`${USER}:userName`)).toEqual({ attribute: 'username', extension: false });
    expect(parsePath('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department')).toMatchObject({ extension: true });
    expect(parsePath('members[value eq "2819c223"]')).toMatchObject({ attribute: 'members', filter: { op: 'eq', compValue: '2819c223' } });
    expect(codeOf(() => parsePath('members['))).toBe('SCIM_INVALID_PATH');
  });
});

describe('user patches', () => {
  it("takes Okta's replace without a path and Entra ID's capitalised ops with string booleans", () => {
    expect(userChangesFromPatch(patch({ op: 'replace', value: { active: false } }))).toEqual({ active: false });
    expect(
      userChangesFromPatch(
        patch(
          { op: 'Replace', path: 'active', value: 'True' },
          { op: 'Replace', path: 'name.givenName', value: 'Ada' },
          { op: 'Replace', path: 'name.familyName', value: 'Lovelace' },
          { op: 'Add', path: 'title', value: 'ignored' },
          { op: 'Remove', path: 'externalId' },
        ),
      ),
    ).toEqual({ active: true, name: 'Ada Lovelace', externalId: null });
  });

  it('refuses what RFC 7644 §3.5.2 refuses', () => {
    expect(codeOf(() => parsePatchRequest({ Operations: [] }))).toBe('SCIM_INVALID_SYNTAX');
    expect(codeOf(() => patch({ op: 'remove' }))).toBe('SCIM_NO_TARGET');
    expect(codeOf(() => patch({ op: 'copy', path: 'active' }))).toBe('SCIM_INVALID_SYNTAX');
    expect(codeOf(() => userChangesFromPatch(patch({ op: 'remove', path: 'active' })))).toBe('SCIM_MUTABILITY');
    expect(codeOf(() => userChangesFromPatch(patch({ op: 'replace', path: 'active', value: 'maybe' })))).toBe('SCIM_INVALID_VALUE');
  });

  it('reads a created or replaced user: the email as userName, one name, active only when sent', () => {
    expect(userFromResource({ schemas: [USER], userName: ' Ada@Example.COM ', name: { givenName: 'Ada', familyName: 'L' } })).toEqual({
      userName: 'ada@example.com',
      externalId: null,
      name: 'Ada L',
    });
    expect(userFromResource({ schemas: [USER], userName: 'ada@example.com', active: 'False' }).active).toBe(false);
    expect(codeOf(() => userFromResource({ userName: 'ada@example.com' }))).toBe('SCIM_INVALID_SYNTAX');
    expect(codeOf(() => userFromResource({ schemas: [USER], userName: 'ada' }))).toBe('SCIM_INVALID_VALUE');
  });
});

describe('group patches', () => {
  const [a, b, c] = [
    '0193a3c2-7b1e-7cc0-8f00-00000000000a',
    '0193a3c2-7b1e-7cc0-8f00-00000000000b',
    '0193a3c2-7b1e-7cc0-8f00-00000000000c',
  ];

  it('adds, removes by filter or by value list, replaces, in order', () => {
    const changes = groupChangesFromPatch(
      patch(
        { op: 'add', path: 'members', value: [{ value: b }, { value: c }] },
        { op: 'remove', path: `members[value eq "${a.toUpperCase()}"]` },
        { op: 'Remove', path: 'members', value: [{ value: b }] },
        { op: 'Replace', value: { displayName: 'Platform' } },
      ),
      [a],
    );
    expect({ displayName: changes.displayName, members: [...(changes.members ?? [])] }).toEqual({ displayName: 'Platform', members: [c] });
    expect([...(groupChangesFromPatch(patch({ op: 'remove', path: 'members' }), [a, b]).members ?? [])]).toEqual([]);
    expect([...(groupChangesFromPatch(patch({ op: 'replace', path: 'members', value: [{ value: c }] }), [a]).members ?? [])]).toEqual([c]);
    expect(groupChangesFromPatch(patch({ op: 'replace', path: 'displayName', value: 'X' }), [a]).members).toBeUndefined();
  });

  it('refuses member values that are not user ids', () => {
    expect(codeOf(() => groupChangesFromPatch(patch({ op: 'add', path: 'members', value: [{ value: 'bob' }] }), []))).toBe(
      'SCIM_INVALID_VALUE',
    );
  });
});
