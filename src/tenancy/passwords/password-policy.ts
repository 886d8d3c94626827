import { FieldError } from '@app/http';
import { passwordEstimator } from './strength-estimator';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

/**
 * zxcvbn's top score: at least 10^10 guesses, its "strong protection from an offline slow-hash
 * attack", which is what a stolen scrypt table is. Score 3 (10^8) still lets through
 * `Summer2024!!!` and `lovelace.ada1`.
 */
const MIN_SCORE = 4;

/** The service's own name is the first thing an attacker tries against its users (NIST 800-63B 3.1.1.2). */
const SERVICE_WORDS = ['atrium'];

/**
 * NIST 800-63B: length over composition rules, and refuse what attackers try first. The
 * estimator (zxcvbn-ts) knows breached-password and common-word lists, names, keyboard walks,
 * repeats, sequences, dates and l33t spellings; the user's own email and name are added per check.
 */
export function checkPassword(password: string, context: { email?: string; name?: string } = {}): FieldError[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) problems.push(`must be at least ${PASSWORD_MIN_LENGTH} characters`);
  if (length > PASSWORD_MAX_LENGTH) problems.push(`must be at most ${PASSWORD_MAX_LENGTH} characters`);
  if (problems.length === 0 && passwordEstimator().check(password, contextWords(context)).score < MIN_SCORE) {
    problems.push('is too common or too easy to guess');
  }
  return problems.map((message) => ({ field: 'password', message }));
}

/** The email whole and in pieces (`ada.lovelace`, `ada`, `lovelace`, `example`), the name whole and per word. */
function contextWords(context: { email?: string; name?: string }): string[] {
  const words = [...SERVICE_WORDS];
  if (context.email) {
    const [local = '', domain = ''] = context.email.toLowerCase().split('@');
    words.push(context.email, local, ...local.split(/[._+-]+/u), ...domain.split('.').slice(0, -1));
  }
  if (context.name) words.push(context.name, ...context.name.split(/\s+/u));
  return words.filter((word) => word.length >= 3);
}
