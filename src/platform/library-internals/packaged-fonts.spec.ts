import { existsSync } from 'node:fs';
import { packagedFontPath } from './packaged-fonts';

/** The font packages the report PDFs embed (compliance/reports/pdf/fonts.ts). */
const PACKAGES = ['@embedpdf/fonts-latin', '@embedpdf/fonts-jp', '@embedpdf/fonts-arabic'];

/** Fails when an @embedpdf/fonts-* package moves its font files. */
describe('@embedpdf font files', () => {
  it.each(PACKAGES)('%s keeps every font it lists, regular and bold among them, where packaged-fonts.ts looks', (pkg) => {
    // The package's public export: the names of its files, without a path.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { fonts } = require(pkg) as { fonts: { file: string; weight: number; italic?: boolean }[] };
    const upright = fonts.filter((font) => !font.italic).map((font) => font.weight);

    expect(upright).toEqual(expect.arrayContaining([400, 700]));
    expect(fonts.filter((font) => !existsSync(packagedFontPath(pkg, font.file)))).toEqual([]);
  });
});
