import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

/**
 * Characters the estimator looks at. Its dictionary matcher tries every substring against every
 * list, so the cost grows with the square of the length (2 s for 256 random characters): beyond
 * 64 characters a password is judged by its first 64, which an attacker cannot make weaker by
 * appending more.
 */
export const ESTIMATED_LENGTH = 64;

/**
 * l33t spellings tried per password. Each substitution multiplies the dictionary lookups;
 * four covers `P@55w0rd`-style spellings, and the full breached list already holds the common ones.
 */
const L33T_MAX_SUBSTITUTIONS = 4;

let estimator: ZxcvbnFactory | undefined;

/**
 * The zxcvbn-ts estimator, built on first use: decompressing and ranking its lists takes about
 * 0.25 s and 35 MB of heap, which a process that never checks a password (jobs, migrations) should not pay,
 * and which must not be paid again per check.
 *
 * The lists: breached passwords (about 49,000) and the diceware words from language-common,
 * English common words, first names, last names and Wikipedia words from language-en. Not
 * language-en's fourteen word-sequence lists (months, planets, zodiac signs, ...): each list costs
 * one lookup per substring, and those fourteen doubled the time of a check for little gain over
 * the Wikipedia and common-word lists that hold the same words.
 */
export function passwordEstimator(): ZxcvbnFactory {
  if (estimator) return estimator;
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use, see above */
  const { ZxcvbnFactory: Factory } = require('@zxcvbn-ts/core') as typeof import('@zxcvbn-ts/core');
  const common = require('@zxcvbn-ts/language-common') as typeof import('@zxcvbn-ts/language-common');
  const en = require('@zxcvbn-ts/language-en') as typeof import('@zxcvbn-ts/language-en');
  /* eslint-enable @typescript-eslint/no-require-imports */
  estimator = new Factory({
    dictionary: {
      'passwords-common': common.dictionary['passwords-common'],
      'diceware-common': common.dictionary['diceware-common'],
      'commonWords-en': en.dictionary['commonWords-en'],
      'firstnames-en': en.dictionary['firstnames-en'],
      'lastnames-en': en.dictionary['lastnames-en'],
      'wikipedia-en': en.dictionary['wikipedia-en'],
    },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
    maxLength: ESTIMATED_LENGTH,
    l33tMaxSubstitutions: L33T_MAX_SUBSTITUTIONS,
  });
  return estimator;
}
