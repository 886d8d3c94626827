import { claimValues, mappedRole, roleAtSignIn } from './role-mapping';

describe('SSO role mapping', () => {
  const rules = [
    { value: 'atrium-admins', role: 'admin' as const },
    { value: 'auditors', role: 'auditor' as const },
    { value: 'staff', role: 'member' as const },
  ];

  it('reads a string claim or the strings of an array claim, nothing else', () => {
    expect(claimValues('staff')).toEqual(['staff']);
    expect(claimValues(['staff', 7, null, 'x'])).toEqual(['staff', 'x']);
    expect(claimValues({ staff: true })).toEqual([]);
    expect(claimValues(undefined)).toEqual([]);
  });

  it('grants the role of the first rule the claim matches, in rule order', () => {
    expect(mappedRole(['staff', 'atrium-admins'], rules)).toBe('admin');
    expect(mappedRole('auditors', rules)).toBe('auditor');
    expect(mappedRole(['nobody'], rules)).toBeNull();
    expect(mappedRole(undefined, rules)).toBeNull();
  });

  it('keeps owners, applies a mapped role, else keeps the current role or gives the default to a new member', () => {
    expect(roleAtSignIn('owner', 'viewer', 'member')).toBe('owner');
    expect(roleAtSignIn('member', 'admin', 'viewer')).toBe('admin');
    expect(roleAtSignIn('admin', null, 'viewer')).toBe('admin');
    expect(roleAtSignIn(null, null, 'viewer')).toBe('viewer');
    expect(roleAtSignIn(null, 'auditor', 'viewer')).toBe('auditor');
  });
});
