import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { csvCell, csvCodeColumns, csvColumns, csvOfHit, exportCsv } from '../../../../functions/api/export-csv.js';
import { exportRowCap } from '../../../../functions/api/schemas.js';
import { FixedClock } from '../../../../shared/clock.js';
import { EmbeddedSearchIndex } from '../../../../shared/search/embedded-search-index.js';
import type { SearchHit } from '../../../../shared/search/search-index.js';
import { generateCorpus } from '../../../support/search-corpus.js';
import { forecastCallDoc, testApi } from './api-test-deps.js';

/**
 * Reads CSV with Python's csv module, which keeps every cell as the text it is (no number
 * guessing): what the export promises a reader gets. Rows come back as objects by header.
 */
function readCsv(text: string): Record<string, string>[] {
  const script = `
import csv, io, json, sys
text = sys.stdin.buffer.read().decode("utf-8-sig")
print(json.dumps(list(csv.DictReader(io.StringIO(text, newline="")))))
`;
  const run = spawnSync('python3', ['-c', script], { input: text, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python3 csv failed (python3 is needed for this test): ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, string>[];
}

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
    ["＝cmd|' /C calc'!A0", "'＝cmd|' /C calc'!A0"],
    ['＋81', "'＋81"],
    ['－1', "'－1"],
    ['＠SUM(A1)', "'＠SUM(A1)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', '"\'\r=1+1"'],
    ['a=b', 'a=b'],
    ['令和7年＝公募', '令和7年＝公募'],
    ['', ''],
  ])('writes %j as %s', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });
});

describe('exportCsv', () => {
  it('starts with a BOM and the Japanese header, ends lines with CRLF', async () => {
    const api = await testApi();

    const result = await api.call('/v1/export.csv?kind=theme');

    expect(result.body?.startsWith(`\uFEFF${csvColumns.join(',')}\r\n`)).toBe(true);
    expect(csvColumns.slice(0, 4)).toEqual(['ID', '種類', '募集状況', 'タイトル']);
    expect(result.body?.endsWith('\r\n')).toBe(true);
    expect(result.headers?.['content-disposition']).toContain('attachment');
  });

  it('writes kinds, statuses, publishers, prefectures and regions in words, with the codes in extra columns', async () => {
    const api = await testApi();

    const result = await api.call('/v1/export.csv?prefecture=01&kind=call');

    const rows = readCsv(result.body ?? '');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      種類: '公募',
      募集状況: '募集前',
      '府省・機関': '北海道',
      都道府県: '北海道',
      地域ブロック: '北海道',
      種類コード: 'call',
      募集状況コード: 'upcoming',
      '府省・機関コード': 'pref-01',
      都道府県コード: 'JP-01',
      地域ブロックコード: 'hokkaido',
    });
    expect(Object.keys(rows[0] ?? {})).toEqual([...csvColumns]);
  });

  it('writes only codes under English headers with labels=codes', async () => {
    const api = await testApi();

    const result = await api.call('/v1/export.csv?prefecture=01&kind=call&labels=codes');

    const rows = readCsv(result.body ?? '');
    expect(Object.keys(rows[0] ?? {})).toEqual([...csvCodeColumns]);
    expect(rows[0]).toMatchObject({ kind: 'call', status: 'upcoming', ministry: 'pref-01', prefectures: 'JP-01' });
  });

  it('never writes a prefecture code a spreadsheet would read as a number, and the API reads it back', async () => {
    const api = await testApi();

    const rows = readCsv((await api.call('/v1/export.csv')).body ?? '');
    const back = await api.call('/v1/export.csv?prefecture=JP-01&kind=call');

    const codes = rows.flatMap((row) => (row['都道府県コード'] ? row['都道府県コード'].split(';') : []));
    expect(codes.length).toBeGreaterThan(3);
    expect(codes.every((code) => /^JP-\d{2}$/.test(code))).toBe(true);
    expect(codes).toContain('JP-04');
    expect(readCsv(back.body ?? '')).toHaveLength(1);
  });

  it('writes as many rows as size asks for, and says there were more', async () => {
    const api = await testApi();

    const all = await api.call('/v1/export.csv');
    const three = await api.call('/v1/export.csv?size=3');

    expect(readCsv(all.body ?? '').length).toBeGreaterThan(3);
    expect(readCsv(three.body ?? '')).toHaveLength(3);
    expect(three.headers?.['x-export-truncated']).toBe('true');
    expect(all.headers?.['x-export-truncated']).toBe('false');
  });

  it.each([
    ['size=0', 'size'],
    [`size=${exportRowCap + 1}`, 'size'],
    ['size=abc', 'size'],
    ['size=2&size=3', 'size'],
    ['labels=en', 'labels'],
  ])('rejects %s with a 400 naming %s', async (query, parameter) => {
    const api = await testApi();

    const result = await api.call(`/v1/export.csv?${query}`);

    expect(result.statusCode).toBe(400);
    const body = JSON.parse(String(result.body)) as { issues: { path: string[] }[] };
    expect(body.issues.map((i) => i.path[0])).toEqual([parameter]);
  });

  it('reports a bad export parameter and a bad search parameter together', async () => {
    const api = await testApi();

    const result = await api.call('/v1/export.csv?size=0&kind=calls');

    expect(result.statusCode).toBe(400);
    const body = JSON.parse(String(result.body)) as { issues: { path: string[] }[] };
    expect(body.issues.map((i) => i.path[0]).sort()).toEqual(['kind', 'size']);
  });

  it(`follows cursors and stops at ${exportRowCap} rows, saying it was truncated`, async () => {
    const clock = new FixedClock('2025-05-15T00:00:00+09:00');
    const search = new EmbeddedSearchIndex({ clock });
    await search.upsert(generateCorpus(exportRowCap + 150));

    const all = await exportCsv({ search }, { rawQueryString: '' });
    const some = await exportCsv({ search }, { rawQueryString: 'kind=theme' });
    const sized = await exportCsv({ search }, { rawQueryString: 'size=250' });

    expect(all.rows).toBe(exportRowCap);
    expect(all.truncated).toBe(true);
    expect(all.csv.split('\r\n')).toHaveLength(exportRowCap + 2);
    expect(some.truncated).toBe(false);
    expect(some.rows).toBe((await search.search({ kinds: ['theme'], size: 1 })).total);
    expect(sized.rows).toBe(250);
  });
});

const callHit: SearchHit = {
  doc: forecastCallDoc({ applicants: ['university', 'sme', 'consortium'] }),
  status: 'closed',
  highlights: {},
};

describe('export columns for who may apply, the ceiling and the forecast', () => {
  it('writes 応募できる者 in words, 上限額（円） in whole yen and 次回の見込み with its windows and basis', () => {
    const [row] = readCsv(csvOfHit(callHit, 'ja'));

    expect(row).toMatchObject({
      応募できる者: '大学・高専、中小企業、コンソーシアム',
      '上限額（円）': '30000000',
      次回の見込み:
        '受付開始 2027-03-25〜2027-04-15ごろ、締切 2027-05-23〜2027-06-14ごろ。次回の受付開始は2027年3月25日〜2027年4月15日頃の見込み（根拠: 過去3回の受付開始日）',
      応募できる者コード: 'university;sme;consortium',
    });
    expect(Object.keys(row ?? {})).toEqual([...csvColumns]);
    expect(csvColumns.slice(-4)).toEqual(['応募できる者', '上限額（円）', '次回の見込み', '応募できる者コード']);
  });

  it('writes the codes, the ceiling and the forecast windows as ISO intervals under labels=codes', () => {
    const [row] = readCsv(csvOfHit(callHit, 'codes'));

    expect(row).toMatchObject({
      applicants: 'university;sme;consortium',
      amountCeiling: '30000000',
      forecastOpens: '2027-03-25/2027-04-15',
      forecastCloses: '2027-05-23/2027-06-14',
      forecastText: callHit.doc.forecast?.text,
    });
    expect(Object.keys(row ?? {})).toEqual([...csvCodeColumns]);
  });

  it('leaves the cells empty when the hit knows none of them', () => {
    const { amountCeiling: _a, forecast: _f, ...doc } = callHit.doc;

    const [ja] = readCsv(csvOfHit({ ...callHit, doc: { ...doc, applicants: [] } }, 'ja'));

    expect(ja).toMatchObject({ 応募できる者: '', '上限額（円）': '', 次回の見込み: '', 応募できる者コード: '' });
  });

  it('keeps a forecast text that would run as a formula as text', () => {
    const forecast = { seriesId: 'se_1', opens: { from: '2027-04-01', to: '2027-04-01' }, text: '=HYPERLINK("x")' };

    const text = csvOfHit({ ...callHit, doc: { ...callHit.doc, forecast } }, 'codes');

    expect(readCsv(text)[0]?.forecastText).toBe(`'=HYPERLINK("x")`);
  });

  it('takes the new filters like the search and rejects an inverted amount range', async () => {
    const api = await testApi();

    const ok = await api.call('/v1/export.csv?applicant=sme&amountMin=0&status=expected&sort=amount');
    const bad = await api.call('/v1/export.csv?amountMin=10&amountMax=9&labels=codes');

    expect(ok.statusCode).toBe(200);
    expect(bad.statusCode).toBe(400);
    expect((JSON.parse(String(bad.body)) as { issues: { path: string[] }[] }).issues.map((i) => i.path[0])).toEqual([
      'amountMin',
    ]);
  });
});
