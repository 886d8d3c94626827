import { Script } from './fonts';

export interface ScriptRun {
  readonly script: Script;
  readonly text: string;
}

const ARABIC = /[\p{Script=Arabic}]/u;
const JAPANESE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u;
/** Spaces and punctuation belong to the run they sit in, so a phrase in one script stays one run. */
const NEUTRAL = /[\s\p{P}\p{S}\p{N}]/u;

export function scriptOf(char: string): Script | undefined {
  if (ARABIC.test(char)) return 'arabic';
  if (JAPANESE.test(char)) return 'japanese';
  if (NEUTRAL.test(char)) return undefined;
  return 'latin';
}

/**
 * Splits text into runs each set in one font: no single font covers Latin, Japanese and Arabic.
 * Neutral characters (spaces, digits, punctuation) join the run before them, except after Arabic:
 * the Arabic font lacks most punctuation, so they join Arabic only between two Arabic letters.
 * Text of neutral characters alone is Latin.
 */
export function scriptRuns(text: string): ScriptRun[] {
  const runs: ScriptRun[] = [];
  let pending = '';
  const append = (script: Script, chars: string) => {
    const last = runs[runs.length - 1];
    if (last?.script === script) runs[runs.length - 1] = { script, text: last.text + chars };
    else runs.push({ script, text: chars });
  };
  for (const char of text) {
    const script = scriptOf(char);
    const last = runs[runs.length - 1];
    if (script === undefined) {
      if (last && last.script !== 'arabic') append(last.script, char);
      else pending += char;
      continue;
    }
    if (pending && script === 'arabic' && last?.script === 'arabic') append('arabic', pending);
    else if (pending) append(script === 'arabic' ? 'latin' : script, pending);
    pending = '';
    append(script, char);
  }
  if (pending) append('latin', pending);
  return runs;
}

/** The one font a short text (a table cell) is set in: the first non-Latin script it uses, else Latin. */
export function dominantScript(text: string): Script {
  return scriptRuns(text).find((run) => run.script !== 'latin')?.script ?? 'latin';
}
