import { HelveticaFont, pdfString, widthOf, winAnsiBytes } from './helvetica';

/** One paragraph of a text-only document; wrapped to the page width, split across pages as needed. */
export interface PdfParagraph {
  readonly text: string;
  readonly font?: HelveticaFont;
  /** Points; 10 by default. */
  readonly size?: number;
  /** Points from the left margin. */
  readonly indent?: number;
  /** Extra points above the paragraph (ignored at the top of a page). */
  readonly spaceBefore?: number;
}

export interface TextPdf {
  /** The document information dictionary's title, and the footer of every page. */
  readonly title: string;
  readonly createdAt: Date;
  readonly paragraphs: readonly PdfParagraph[];
}

interface PlacedLine {
  readonly bytes: readonly number[];
  readonly font: HelveticaFont;
  readonly size: number;
  readonly x: number;
  readonly y: number;
}

// A4 in points, with even margins; the bottom margin leaves room for the footer.
const PAGE_WIDTH = 595.28;
const PAGE_HEIGHT = 841.89;
const MARGIN = 50;
const FOOTER_SIZE = 8;
const FOOTER_BASELINE = MARGIN / 2;
const LEADING = 1.35;
const FONT_RESOURCE: Readonly<Record<HelveticaFont, string>> = { regular: 'F1', bold: 'F2' };

/**
 * A PDF 1.4 file of plain text in the standard Helvetica fonts (not embedded, WinAnsiEncoding):
 * enough for a report a person reads and `pdftotext` extracts, with no dependency. Characters
 * WinAnsi cannot show become '?'. The same input always gives the same bytes.
 */
export function renderTextPdf(document: TextPdf): Buffer {
  const pages = layOut(document.paragraphs);
  const objects: string[] = [];
  const pageIds = pages.map((_, index) => 6 + index * 2);
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages.length} >>`;
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';
  objects[4] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>';
  objects[5] = `<< /Title ${pdfString(winAnsiBytes(document.title))} /Producer (Atrium) /CreationDate (${pdfDate(document.createdAt)}) >>`;
  pages.forEach((lines, index) => {
    const footer: PlacedLine = {
      bytes: winAnsiBytes(`${document.title} - page ${index + 1} of ${pages.length}`),
      font: 'regular',
      size: FOOTER_SIZE,
      x: MARGIN,
      y: FOOTER_BASELINE,
    };
    const content = [...lines, footer].map(textOperation).join('');
    objects[pageIds[index]] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_WIDTH} ${PAGE_HEIGHT}] ` +
      `/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${pageIds[index] + 1} 0 R >>`;
    objects[pageIds[index] + 1] = `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}endstream`;
  });
  return serialize(objects);
}

/** Wraps every paragraph and places its lines top to bottom, starting a page when one is full. */
function layOut(paragraphs: readonly PdfParagraph[]): PlacedLine[][] {
  const pages: PlacedLine[][] = [[]];
  const top = PAGE_HEIGHT - MARGIN;
  let cursor = top;
  for (const paragraph of paragraphs) {
    const font = paragraph.font ?? 'regular';
    const size = paragraph.size ?? 10;
    const indent = paragraph.indent ?? 0;
    if (pages[pages.length - 1].length > 0) cursor -= paragraph.spaceBefore ?? 0;
    for (const bytes of wrap(winAnsiBytes(paragraph.text), font, size, PAGE_WIDTH - 2 * MARGIN - indent)) {
      if (cursor - size * LEADING < MARGIN) {
        pages.push([]);
        cursor = top;
      }
      pages[pages.length - 1].push({ bytes, font, size, x: MARGIN + indent, y: cursor - size });
      cursor -= size * LEADING;
    }
  }
  return pages;
}

/** Greedy word wrap; a word wider than the line (a hash, a long id) is broken between characters. */
function wrap(bytes: readonly number[], font: HelveticaFont, size: number, maxWidth: number): number[][] {
  const lines: number[][] = [];
  let line: number[] = [];
  const words = splitOnSpaces(bytes);
  for (const word of words) {
    const candidate = line.length > 0 ? [...line, 0x20, ...word] : word;
    if (widthOf(candidate, font, size) <= maxWidth) {
      line = candidate;
      continue;
    }
    if (line.length > 0) lines.push(line);
    line = [];
    for (const byte of word) {
      if (line.length > 0 && widthOf([...line, byte], font, size) > maxWidth) {
        lines.push(line);
        line = [];
      }
      line.push(byte);
    }
  }
  lines.push(line);
  return lines;
}

function splitOnSpaces(bytes: readonly number[]): number[][] {
  const words: number[][] = [[]];
  for (const byte of bytes) {
    if (byte === 0x20) words.push([]);
    else words[words.length - 1].push(byte);
  }
  return words.filter((word) => word.length > 0);
}

function textOperation(line: PlacedLine): string {
  return `BT /${FONT_RESOURCE[line.font]} ${line.size} Tf ${line.x.toFixed(2)} ${line.y.toFixed(2)} Td ${pdfString(line.bytes)} Tj ET\n`;
}

/** Header, numbered objects, a cross-reference table with each object's byte offset, trailer. */
function serialize(objects: readonly string[]): Buffer {
  // The comment of high bytes tells transfer tools the file is binary (PDF 1.4, 7.5.2).
  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = chunks[0].length;
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id += 1) {
    offsets[id] = offset;
    const chunk = Buffer.from(`${id} 0 obj\n${objects[id]}\nendobj\n`, 'latin1');
    chunks.push(chunk);
    offset += chunk.length;
  }
  // Every entry is exactly 20 bytes, its end-of-line included.
  const entries = offsets.slice(1).map((at) => `${String(at).padStart(10, '0')} 00000 n \n`);
  chunks.push(
    Buffer.from(
      `xref\n0 ${objects.length}\n0000000000 65535 f \n${entries.join('')}` +
        `trailer\n<< /Size ${objects.length} /Root 1 0 R /Info 5 0 R >>\nstartxref\n${offset}\n%%EOF\n`,
      'latin1',
    ),
  );
  return Buffer.concat(chunks);
}

function pdfDate(date: Date): string {
  return `D:${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}
