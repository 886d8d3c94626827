import { dirname, join } from 'node:path';

/**
 * Library internal: where the `@embedpdf/fonts-*` packages keep their font files, a `fonts/`
 * folder beside the `dist/` folder of their JavaScript entry point.
 *
 * Why: the packages export only that entry point (the files' names, no paths), and the report PDFs
 * embed those fonts from node_modules rather than download them. packaged-fonts.spec.ts fails when
 * the folder moves.
 */
export function packagedFontPath(pkg: string, file: string): string {
  return join(dirname(require.resolve(pkg)), '..', 'fonts', file);
}
