import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

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

const loaded = new Map<string, Buffer>();

/** The font file's bytes, read once per process. */
export function fontBytes(script: Script, weight: Weight): Buffer {
  const name = fontName(script, weight);
  let bytes = loaded.get(name);
  if (!bytes) {
    const file = FILES[script];
    // The packages export only their JavaScript entry point; the fonts sit beside its dist/ folder.
    bytes = readFileSync(join(dirname(require.resolve(file.pkg)), '..', 'fonts', file[weight]));
    loaded.set(name, bytes);
  }
  return bytes;
}

export function fontName(script: Script, weight: Weight): string {
  return `${script}-${weight}`;
}

export const SCRIPTS: readonly Script[] = ['latin', 'japanese', 'arabic'];
