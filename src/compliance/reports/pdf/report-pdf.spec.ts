import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReportPdf } from './report-pdf';

/** What poppler's pdftotext reads from the bytes, without the bidi embedding marks it adds around right-to-left text. */
function extract(pdf: Buffer): { text: string; stderr: string; pages: number } {
  const dir = mkdtempSync(join(tmpdir(), 'report-pdf-'));
  try {
    const file = join(dir, 'doc.pdf');
    writeFileSync(file, pdf);
    const result = spawnSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`pdftotext failed: ${result.stderr}`);
    const text = result.stdout.replace(/[\u202a-\u202e]/g, '');
    return { text, stderr: result.stderr, pages: text.split('\f').filter((page) => page.trim().length > 0).length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const createdAt = new Date('2026-12-01T04:45:00Z');

describe('ReportPdf', () => {
  it('prints Latin with accents, Japanese and Arabic as text pdftotext extracts', async () => {
    const pdf = await new ReportPdf('Compliance report', createdAt)
      .paragraph('Compliance report (monthly)', { weight: 'bold', size: 16 })
      .paragraph('Organization: Zoë & Co. \\ Łódź Partners (EU) – €100')
      .paragraph('Organization: 株式会社テスト東京')
      .paragraph('Organization: شركة المثال للتجارة')
      .paragraph('شركة المثال للتجارة', { indent: 12 })
      .finish();
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const { text, stderr } = extract(pdf);
    expect(stderr).toBe('');
    expect(text).toContain('Compliance report (monthly)');
    expect(text).toContain('Organization: Zoë & Co. \\ Łódź Partners (EU) – €100');
    expect(text).toContain('株式会社テスト東京');
    expect(text).toContain('Organization: شركة المثال للتجارة');
    expect(text).toContain('Compliance report - page 1 of 1');
  });

  it('lays Arabic words out right to left, each word shaped', async () => {
    const pdf = await new ReportPdf('Bidi', createdAt).paragraph('شركة المثال للتجارة').finish();
    const result = spawnSync('pdftotext', ['-bbox', '-', '-'], { input: pdf, encoding: 'utf8' });
    const words = [...result.stdout.matchAll(/<word xMin="([\d.]+)"[^>]*>([^<]+)<\/word>/g)]
      .map((match) => ({ x: Number(match[1]), word: match[2] }))
      .filter((entry) => /\p{Script=Arabic}/u.test(entry.word));
    expect(words).toHaveLength(3);
    // Rightmost first: reading right to left gives the logical order.
    expect([...words].sort((a, b) => b.x - a.x).map((entry) => [...entry.word].length)).toEqual([4, 6, 7]);
  });

  it('draws tables whose cells extract in row order, whatever their script', async () => {
    const pdf = await new ReportPdf('Tables', createdAt)
      .table(
        [
          { header: 'Control', width: 100 },
          { header: 'Result', width: '*' },
        ],
        [
          ['access-snapshot', 'pass'],
          ['組織', 'no activity in period'],
        ],
      )
      .finish();
    const { text } = extract(pdf);
    const order = ['Control', 'Result', 'access-snapshot', 'pass', '組織', 'no activity in period'].map((cell) => text.indexOf(cell));
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it('breaks long text into lines and pages, every page numbered, every line extracted in order', async () => {
    const document = new ReportPdf('Long', createdAt);
    for (let index = 0; index < 150; index += 1) document.paragraph(`line-${String(index).padStart(3, '0')} ${'word '.repeat(30)}`);
    const longHash = 'a'.repeat(200);
    const { text, stderr, pages } = extract(await document.paragraph(longHash).finish());
    expect(stderr).toBe('');
    expect(pages).toBeGreaterThan(3);
    for (let page = 1; page <= pages; page += 1) expect(text).toContain(`Long - page ${page} of ${pages}`);
    const order = [...text.matchAll(/line-(\d{3})/g)].map((match) => Number(match[1]));
    expect(order).toEqual(Array.from({ length: 150 }, (_, index) => index));
    expect(text.replace(/\s/g, '')).toContain(longHash);
  });

  it('embeds its fonts, subset, so that the file reads the same anywhere', async () => {
    const pdf = await new ReportPdf('Fonts', createdAt).paragraph('Zoë 東京 شركة').finish();
    const result = spawnSync('pdffonts', ['-'], { input: pdf, encoding: 'utf8' });
    const fonts = result.stdout.split('\n').slice(2).filter(Boolean);
    expect(fonts.length).toBeGreaterThanOrEqual(3);
    for (const line of fonts) expect(line).toMatch(/\byes\s+yes\s+yes\b/);
  });
});
