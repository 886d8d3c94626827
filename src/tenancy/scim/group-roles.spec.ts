import { roleFromGroups } from './group-roles';

describe('roleFromGroups', () => {
  it('gives the highest role of the mapped groups', () => {
    expect(roleFromGroups(['viewer', 'admin', 'member'])).toBe('admin');
    expect(roleFromGroups(['viewer', 'auditor'])).toBe('auditor');
    expect(roleFromGroups(['viewer', 'member'])).toBe('member');
    expect(roleFromGroups(['viewer'])).toBe('viewer');
  });

  it('falls back to member when no group of the member is mapped', () => {
    expect(roleFromGroups([])).toBe('member');
  });
});
