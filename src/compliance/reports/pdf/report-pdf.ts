import PDFDocument from 'pdfkit';
import { SCRIPTS, Weight, fontName, parsedFont } from './fonts';
import { ScriptRun, dominantScript, scriptRuns } from './script-runs';

export interface ParagraphStyle {
  readonly weight?: Weight;
  /** Points; 10 by default. */
  readonly size?: number;
  /** Points from the left margin. */
  readonly indent?: number;
  /** Extra points above the paragraph. */
  readonly spaceBefore?: number;
}

export interface TableColumn {
  readonly header: string;
  /** Points, or '*' to share what the fixed columns leave. */
  readonly width: number | '*';
}

const MARGIN = 50;
const FOOTER_SIZE = 8;
const BODY_SIZE = 10;
const TABLE_SIZE = 8.5;

/**
 * A report PDF laid out by PDFKit: paragraphs and tables in embedded Noto fonts, each script in
 * the font that has its glyphs, and on every page a footer with the title and "page n of N".
 * Text stays text (ToUnicode maps), so `pdftotext` and screen readers get the characters back.
 */
export class ReportPdf {
  private readonly doc: PDFKit.PDFDocument;
  private readonly done: Promise<Buffer>;

  constructor(
    private readonly title: string,
    createdAt: Date,
  ) {
    this.doc = new PDFDocument({
      size: 'A4',
      margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
      bufferPages: true,
      info: { Title: title, Producer: 'Atrium', Creator: 'Atrium', CreationDate: createdAt, ModDate: createdAt },
    });
    for (const script of SCRIPTS) {
      for (const weight of ['regular', 'bold'] as const) {
        this.doc.registerFont(fontName(script, weight), parsedFont(script, weight) as unknown as PDFKit.Mixins.PDFFontSource);
      }
    }
    const chunks: Buffer[] = [];
    this.doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    this.done = new Promise((resolve, reject) => {
      this.doc.on('end', () => resolve(Buffer.concat(chunks)));
      this.doc.on('error', reject);
    });
  }

  heading(text: string, size = 13): this {
    return this.paragraph(text, { weight: 'bold', size, spaceBefore: size });
  }

  /** One paragraph, wrapped to the page; each run of one script in its own font. */
  paragraph(text: string, style: ParagraphStyle = {}): this {
    const { doc } = this;
    const weight = style.weight ?? 'regular';
    const indent = style.indent ?? 0;
    if (style.spaceBefore) doc.moveDown(style.spaceBefore / (style.size ?? BODY_SIZE));
    const runs = scriptRuns(text).flatMap(visualOrder);
    const width = doc.page.width - 2 * MARGIN - indent;
    doc.x = MARGIN + indent;
    doc.fontSize(style.size ?? BODY_SIZE);
    runs.forEach((run, index) => {
      doc.font(fontName(run.script, weight)).text(run.text, { width, continued: index < runs.length - 1 });
    });
    if (runs.length === 0) doc.text('', { width });
    doc.x = MARGIN;
    return this;
  }

  /** A bordered table with a bold header row; rows split across pages, the header repeated. */
  table(columns: readonly TableColumn[], rows: readonly (readonly string[])[]): this {
    const { doc } = this;
    doc.moveDown(0.3);
    doc.x = MARGIN;
    const cell = (text: string, weight: Weight) => ({ text, font: { src: fontName(dominantScript(text), weight), size: TABLE_SIZE } });
    doc.fontSize(TABLE_SIZE).table({
      columnStyles: columns.map((column) => column.width),
      rowStyles: (row) => (row === 0 ? { backgroundColor: '#e8e8e8' } : undefined),
      defaultStyle: { border: 0.5, borderColor: '#888888', padding: 3 },
      data: [
        columns.map((column) => ({ ...cell(column.header, 'bold'), type: 'TH' as const })),
        ...rows.map((row) => row.map((text) => cell(text, 'regular'))),
      ],
    });
    doc.x = MARGIN;
    doc.fontSize(BODY_SIZE);
    return this;
  }

  /** Writes the footers, now that the number of pages is known, and returns the file. */
  finish(): Promise<Buffer> {
    const { doc } = this;
    const range = doc.bufferedPageRange();
    for (let index = range.start; index < range.start + range.count; index += 1) {
      doc.switchToPage(index);
      // Inside the bottom margin: without lifting it, PDFKit would start a new page for the footer.
      const bottom = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      doc
        .font(fontName(dominantScript(this.title), 'regular'))
        .fontSize(FOOTER_SIZE)
        .text(`${this.title} - page ${index + 1} of ${range.count}`, MARGIN, doc.page.height - MARGIN / 2 - FOOTER_SIZE, {
          width: doc.page.width - 2 * MARGIN,
          lineBreak: false,
        });
      doc.page.margins.bottom = bottom;
    }
    doc.end();
    return this.done;
  }
}

/**
 * PDFKit shapes a right-to-left run and reverses its glyphs, but moves the spaces of a run of
 * several words to the wrong places. Each Arabic word is therefore its own run, shaped alone, and
 * the words of a run are laid out right to left; extractors such as pdftotext read a line of
 * Arabic alone back in logical order.
 */
function visualOrder(run: ScriptRun): ScriptRun[] {
  if (run.script !== 'arabic' || !run.text.includes(' ')) return [run];
  return run.text
    .split(/( +)/)
    .filter((part) => part.length > 0)
    .reverse()
    .map((part) => ({ script: part.trim() === '' ? 'latin' : 'arabic', text: part }));
}
