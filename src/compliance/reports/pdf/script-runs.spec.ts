import { dominantScript, scriptRuns } from './script-runs';

describe('scriptRuns', () => {
  it('keeps Latin text, accents and punctuation included, in one run', () => {
    expect(scriptRuns('Zoë Widgets (EU), Ltd – €100')).toEqual([{ script: 'latin', text: 'Zoë Widgets (EU), Ltd – €100' }]);
  });

  it('sets Japanese in its own run, neutral characters following it', () => {
    expect(scriptRuns('Org: 株式会社テスト 2026 and more')).toEqual([
      { script: 'latin', text: 'Org: ' },
      { script: 'japanese', text: '株式会社テスト 2026 ' },
      { script: 'latin', text: 'and more' },
    ]);
  });

  it('keeps the spaces between Arabic words in the Arabic run, punctuation after it in Latin', () => {
    expect(scriptRuns('Org: شركة المثال – Zoë')).toEqual([
      { script: 'latin', text: 'Org: ' },
      { script: 'arabic', text: 'شركة المثال' },
      { script: 'latin', text: ' – Zoë' },
    ]);
    expect(scriptRuns('(شركة)')).toEqual([
      { script: 'latin', text: '(' },
      { script: 'arabic', text: 'شركة' },
      { script: 'latin', text: ')' },
    ]);
  });

  it('treats text of neutral characters alone as Latin, and empty text as no run', () => {
    expect(scriptRuns('2026-11-01, 42%')).toEqual([{ script: 'latin', text: '2026-11-01, 42%' }]);
    expect(scriptRuns('')).toEqual([]);
  });
});

describe('dominantScript', () => {
  it('is the first non-Latin script, else Latin', () => {
    expect(dominantScript('api-keys')).toBe('latin');
    expect(dominantScript('user 山田 and شركة')).toBe('japanese');
    expect(dominantScript('شركة')).toBe('arabic');
  });
});
