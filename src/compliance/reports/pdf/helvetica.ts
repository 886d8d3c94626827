/**
 * What a text-only PDF needs to know about the two standard fonts it uses without embedding
 * them: how a string maps to WinAnsiEncoding bytes, and how wide those bytes are set (Adobe's
 * Helvetica and Helvetica-Bold AFM widths, in 1/1000 em), so lines can be wrapped to the page.
 */

export type HelveticaFont = 'regular' | 'bold';

/** Widths of the printable ASCII range 32..126, in code order. */
const ASCII_WIDTHS: Readonly<Record<HelveticaFont, readonly number[]>> = {
  regular: [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278,
    278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722,
    667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556,
    556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
  ],
  bold: [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333,
    333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722,
    667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611,
    611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
  ],
};

/** Beyond ASCII (accented letters, typographic marks) a generous average keeps wrapped lines inside the margin. */
const NON_ASCII_WIDTH = 667;

/** WinAnsiEncoding's 0x80..0x9F block, which differs from Latin-1: Unicode code point → byte. */
const WIN_ANSI_EXTRAS: ReadonlyMap<number, number> = new Map([
  [0x20ac, 0x80],
  [0x201a, 0x82],
  [0x0192, 0x83],
  [0x201e, 0x84],
  [0x2026, 0x85],
  [0x2020, 0x86],
  [0x2021, 0x87],
  [0x02c6, 0x88],
  [0x2030, 0x89],
  [0x0160, 0x8a],
  [0x2039, 0x8b],
  [0x0152, 0x8c],
  [0x017d, 0x8e],
  [0x2018, 0x91],
  [0x2019, 0x92],
  [0x201c, 0x93],
  [0x201d, 0x94],
  [0x2022, 0x95],
  [0x2013, 0x96],
  [0x2014, 0x97],
  [0x02dc, 0x98],
  [0x2122, 0x99],
  [0x0161, 0x9a],
  [0x203a, 0x9b],
  [0x0153, 0x9c],
  [0x017e, 0x9e],
  [0x0178, 0x9f],
]);

const REPLACEMENT = 0x3f; // '?'

/**
 * The WinAnsi bytes of `text`: ASCII and Latin-1 as themselves, the typographic marks above via
 * their table, whitespace controls as spaces, anything else (CJK, emoji, other controls) as '?'.
 */
export function winAnsiBytes(text: string): number[] {
  const bytes: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0) ?? REPLACEMENT;
    if (code === 0x09 || code === 0x0a || code === 0x0d) bytes.push(0x20);
    else if ((code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff)) bytes.push(code);
    else bytes.push(WIN_ANSI_EXTRAS.get(code) ?? REPLACEMENT);
  }
  return bytes;
}

/** Width of WinAnsi bytes set in `font` at `size` points. */
export function widthOf(bytes: readonly number[], font: HelveticaFont, size: number): number {
  const widths = ASCII_WIDTHS[font];
  let total = 0;
  for (const byte of bytes) total += byte >= 32 && byte <= 126 ? widths[byte - 32] : NON_ASCII_WIDTH;
  return (total * size) / 1000;
}

/**
 * A PDF literal string of the bytes: `\`, `(` and `)` escaped, and every byte outside printable
 * ASCII written as an octal escape, so content streams stay 7-bit and their lengths are exact.
 */
export function pdfString(bytes: readonly number[]): string {
  let out = '(';
  for (const byte of bytes) {
    if (byte === 0x5c || byte === 0x28 || byte === 0x29) out += `\\${String.fromCharCode(byte)}`;
    else if (byte >= 0x20 && byte <= 0x7e) out += String.fromCharCode(byte);
    else out += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return `${out})`;
}
