import { describe, expect, it } from 'vitest';
import { csvCell, csvColumns, exportCsv } from '../../../../functions/api/export-csv.js';
import { exportRowCap } from '../../../../functions/api/schemas.js';
import { FixedClock } from '../../../../shared/clock.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import { generateCorpus } from '../../../support/search-corpus.js';
import { testApi } from './api-test-deps.js';

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
    ['+81-3', "'+81-3"],
    ['-1', "'-1"],
    ['@SUM', "'@SUM"],
    ['', ''],
  ])('writes %j as %s', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });
});

describe('exportCsv', () => {
  it('starts with a BOM and the header, ends lines with CRLF', async () => {
    const api = await testApi();

    const result = await api.call('/v1/export.csv?kind=theme');

    expect(result.body?.startsWith(`\uFEFF${csvColumns.join(',')}\r\n`)).toBe(true);
    expect(result.body?.endsWith('\r\n')).toBe(true);
    expect(result.headers?.['content-disposition']).toContain('attachment');
  });

  it(`follows cursors and stops at ${exportRowCap} rows, saying it was truncated`, async () => {
    const clock = new FixedClock('2025-05-15T00:00:00+09:00');
    const search = new EmbeddedSearchIndex({ clock });
    await search.upsert(generateCorpus(exportRowCap + 150));

    const all = await exportCsv({ search }, { rawQueryString: '' });
    const some = await exportCsv({ search }, { rawQueryString: 'kind=theme' });

    expect(all.rows).toBe(exportRowCap);
    expect(all.truncated).toBe(true);
    expect(all.csv.split('\r\n')).toHaveLength(exportRowCap + 2);
    expect(some.truncated).toBe(false);
    expect(some.rows).toBe((await search.search({ kinds: ['theme'], size: 1 })).total);
  });
});
