import { FieldError } from '@app/http';
import { COMMON_PASSWORDS } from './common-passwords';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

/**
 * NIST 800-63B style: length over composition rules; refuse what attackers try first
 * (common passwords, runs of one character, sequences, the user's own email or name).
 */
export function checkPassword(password: string, context: { email?: string; name?: string } = {}): FieldError[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) problems.push(`must be at least ${PASSWORD_MIN_LENGTH} characters`);
  if (length > PASSWORD_MAX_LENGTH) problems.push(`must be at most ${PASSWORD_MAX_LENGTH} characters`);
  if (problems.length === 0 && isTrivial(password, context)) problems.push('is too common or too easy to guess');
  return problems.map((message) => ({ field: 'password', message }));
}

function isTrivial(password: string, context: { email?: string; name?: string }): boolean {
  const lower = password.toLowerCase();
  const core = lower.replace(/[\d\W_]+$/u, '');
  if (COMMON_PASSWORDS.has(lower) || COMMON_PASSWORDS.has(core)) return true;
  if (new Set(lower).size <= 3) return true;
  if (isSequence(lower)) return true;
  const personal = [context.email?.split('@')[0], ...(context.name?.split(/\s+/) ?? [])]
    .map((part) => part?.toLowerCase())
    .filter((part): part is string => !!part && part.length >= 4);
  return personal.some((part) => lower.includes(part) && lower.length - part.length < 6);
}

/** 123456789012, abcdefghijkl, 987654321098: each character one step from the last. */
function isSequence(value: string): boolean {
  let ascending = 0;
  let descending = 0;
  for (let i = 1; i < value.length; i++) {
    const step = value.charCodeAt(i) - value.charCodeAt(i - 1);
    if (step === 1 || step === -9) ascending++;
    if (step === -1 || step === 9) descending++;
  }
  return Math.max(ascending, descending) >= value.length - 2;
}
