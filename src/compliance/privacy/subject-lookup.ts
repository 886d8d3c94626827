/**
 * Finding a data subject's traces in SQL: patterns for ILIKE with the wildcards of the searched
 * values escaped, and jsonb-array parameters (knex binds a JS array as a list, not an array).
 */

/** `%value%` with LIKE's own wildcards in `value` (`_` is common in emails) matched literally. */
export function containsPattern(value: string): string {
  return `%${value.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** A text[] parameter: `array(select jsonb_array_elements_text(?::jsonb))` with this as its binding. */
export function jsonArray(values: readonly string[]): string {
  return JSON.stringify(values);
}

export const TEXT_ARRAY = 'array(select jsonb_array_elements_text(?::jsonb))';
export const UUID_ARRAY = 'array(select jsonb_array_elements_text(?::jsonb)::uuid)';

/** The subject's identifying values, found on their contact records, searched for everywhere. */
export interface SubjectValues {
  readonly email: string;
  readonly phones: readonly string[];
  /** "First Last" of each matching contact. */
  readonly fullNames: readonly string[];
  /** First and last names alone, when long enough to mean something (see `possibleMentionTerms`). */
  readonly nameParts: readonly string[];
}

/** Names shorter than this ("Li", "Ann") match too many unrelated words to count as a trace. */
const MIN_NAME_PART_LENGTH = 4;
const MIN_FULL_NAME_LENGTH = 5;

export function subjectValuesOf(
  email: string,
  contacts: readonly { first_name: string; last_name: string; phone: string | null }[],
): SubjectValues {
  const unique = (values: string[]) => [...new Set(values.map((value) => value.trim()).filter((value) => value.length > 0))];
  return {
    email,
    phones: unique(contacts.map((contact) => contact.phone ?? '')),
    // "A B" would match "dat(a b)reach": a full name this short is no sign of the subject.
    fullNames: unique(contacts.map((contact) => `${contact.first_name} ${contact.last_name}`)).filter(
      (name) => name.length >= MIN_FULL_NAME_LENGTH,
    ),
    nameParts: unique(contacts.flatMap((contact) => [contact.first_name, contact.last_name])).filter(
      (part) => part.length >= MIN_NAME_PART_LENGTH,
    ),
  };
}

/**
 * Values that identify the subject on their own: email, phone, full name. A trace of any of them
 * is a residual match. A first or last name alone is not: "Martin" in another contact's row is
 * most likely someone else, so those are reported apart as possible mentions.
 */
export function identifyingTerms(values: SubjectValues): string[] {
  return [values.email, ...values.phones, ...values.fullNames];
}

export function possibleMentionTerms(values: SubjectValues): string[] {
  return [...values.nameParts];
}
