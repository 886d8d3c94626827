import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pdfString, winAnsiBytes } from './helvetica';
import { renderTextPdf } from './text-pdf';

/** What poppler's pdftotext reads from the bytes, and what it complained about on the way. */
function extract(pdf: Buffer): { text: string; stderr: string; pages: number } {
  const dir = mkdtempSync(join(tmpdir(), 'text-pdf-'));
  try {
    const file = join(dir, 'doc.pdf');
    writeFileSync(file, pdf);
    const result = spawnSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`pdftotext failed: ${result.stderr}`);
    const { stdout: text, stderr } = result;
    return { text, stderr, pages: text.split('\f').filter((page) => page.trim().length > 0).length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const createdAt = new Date('2026-12-01T04:45:00Z');

describe('renderTextPdf', () => {
  it('writes a PDF whose text pdftotext extracts, escapes included', () => {
    const pdf = renderTextPdf({
      title: 'Compliance report',
      createdAt,
      paragraphs: [
        { text: 'Compliance report (monthly)', font: 'bold', size: 16 },
        { text: 'Organization: Zoë & Co. \\ Partners (EU) – €100', spaceBefore: 6 },
        { text: 'Unicode beyond Latin-1: 東京 🙂 stays readable' },
      ],
    });
    expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
    const { text, stderr } = extract(pdf);
    expect(stderr).toBe('');
    expect(text).toContain('Compliance report (monthly)');
    expect(text).toContain('Organization: Zoë & Co. \\ Partners (EU) – €100');
    expect(text).toContain('Unicode beyond Latin-1: ?? ? stays readable');
    expect(text).toContain('Compliance report - page 1 of 1');
  });

  it('breaks long text into lines and pages, every line extracted in order', () => {
    const paragraphs = Array.from({ length: 150 }, (_, index) => ({
      text: `line-${String(index).padStart(3, '0')} ${'word '.repeat(30)}`,
    }));
    const longHash = 'a'.repeat(200);
    const pdf = renderTextPdf({ title: 'Long', createdAt, paragraphs: [...paragraphs, { text: longHash }] });
    const { text, stderr, pages } = extract(pdf);
    expect(stderr).toBe('');
    expect(pages).toBeGreaterThan(3);
    expect(text).toContain(`Long - page ${pages} of ${pages}`);
    const order = [...text.matchAll(/line-(\d{3})/g)].map((match) => Number(match[1]));
    expect(order).toEqual(paragraphs.map((_, index) => index));
    expect(text.replace(/\s/g, '')).toContain(longHash);
  });

  it('keeps an exact cross-reference table', () => {
    const pdf = renderTextPdf({ title: 'Xref', createdAt, paragraphs: [{ text: 'one' }, { text: 'two' }] });
    const source = pdf.toString('latin1');
    const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(source)?.[1]);
    expect(source.slice(startxref, startxref + 4)).toBe('xref');
    const table = /xref\n0 (\d+)\n([\s\S]*?)trailer/.exec(source.slice(startxref));
    const entries = table?.[2].match(/.{20}/gs) ?? [];
    expect(entries).toHaveLength(Number(table?.[1]));
    entries.slice(1).forEach((entry, index) => {
      const offset = Number(entry.slice(0, 10));
      expect(source.slice(offset, offset + `${index + 1} 0 obj`.length)).toBe(`${index + 1} 0 obj`);
    });
    expect(renderTextPdf({ title: 'Xref', createdAt, paragraphs: [{ text: 'one' }, { text: 'two' }] })).toEqual(pdf);
  });

  it('escapes string delimiters and writes high bytes as octal', () => {
    expect(pdfString(winAnsiBytes('a(b)c\\d é€'))).toBe('(a\\(b\\)c\\\\d \\351\\200)');
    expect(winAnsiBytes('\u0007\t東')).toEqual([0x3f, 0x20, 0x3f]);
  });
});
