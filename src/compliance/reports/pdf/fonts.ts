import { readFileSync } from 'node:fs';
import { Font, create } from 'fontkit';
import { packagedFontPath } from '../../../platform';

/**
 * Noto fonts shipped in npm packages (SIL Open Font License), embedded and subset into every PDF
 * so that any organization name prints: Noto Sans for Latin, Greek and Cyrillic, Noto Sans JP for
 * Japanese (and the CJK ideographs Chinese and Korean share with it), Noto Naskh Arabic for
 * Arabic. Read from node_modules, never downloaded.
 */
export type Script = 'latin' | 'japanese' | 'arabic';
export type Weight = 'regular' | 'bold';

const FILES: Readonly<Record<Script, { readonly pkg: string; readonly regular: string; readonly bold: string }>> = {
  latin: { pkg: '@embedpdf/fonts-latin', regular: 'NotoSans-Regular.ttf', bold: 'NotoSans-Bold.ttf' },
  japanese: { pkg: '@embedpdf/fonts-jp', regular: 'NotoSansJP-Regular.otf', bold: 'NotoSansJP-Bold.otf' },
  arabic: { pkg: '@embedpdf/fonts-arabic', regular: 'NotoNaskhArabic-Regular.ttf', bold: 'NotoNaskhArabic-Bold.ttf' },
};

const parsed = new Map<string, Font>();

/**
 * The font, parsed once per process and shared by every document. PDFKit takes a parsed fontkit
 * font as a source (since 0.20; its type declarations lag behind). Given bytes or a path instead,
 * it parses the file again whenever a table cell restores the font it found, because only the
 * font's name, not its source, is cached then: about a second of CPU per report, most of the
 * monthly-reports job's time.
 */
export function parsedFont(script: Script, weight: Weight): Font {
  const name = fontName(script, weight);
  let font = parsed.get(name);
  if (!font) {
    const file = FILES[script];
    const created = create(readFileSync(packagedFontPath(file.pkg, file[weight])));
    if (!('layout' in created)) throw new Error(`${file[weight]} is a font collection, not a font`);
    font = created;
    parsed.set(name, font);
  }
  return font;
}

export function fontName(script: Script, weight: Weight): string {
  return `${script}-${weight}`;
}

export const SCRIPTS: readonly Script[] = ['latin', 'japanese', 'arabic'];
