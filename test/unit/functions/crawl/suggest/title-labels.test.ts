import type { Element } from 'domhandler';
import { describe, expect, it } from 'vitest';
import { readPage } from '../../../../../functions/crawl/suggest/page-model.js';
import { selectIn } from '../../../../../functions/crawl/suggest/selectors.js';
import { titleExcludeFor } from '../../../../../functions/crawl/suggest/title-labels.js';

/** The `<a>` of each `<li>` of a list built from the given link contents. */
function titleNodes(links: readonly string[]): Element[] {
  const html = `<ul>${links.map((l, i) => `<li><a href="/n/${i}.html">${l}</a></li>`).join('')}</ul>`;
  return selectIn('li > a', readPage(html, 'https://www.example.go.jp/news/').root);
}

const titles = [
  '脱炭素先行地域づくり事業の第7回公募について',
  '環境研究総合推進費の新規課題の公募開始について',
  '生物多様性保全推進支援事業の二次公募について',
  '環境技術実証事業 実証機関の募集について',
];

describe('titleExcludeFor', () => {
  it('finds a category label that opens the link, even with all values distinct, when its class names a label', () => {
    const cats = ['地球環境', '研究', '自然環境', '技術'];

    const selector = titleExcludeFor(titleNodes(titles.map((t, i) => `<span class="cat">${cats[i]}</span>${t}`)));

    expect(selector).toBe('span.cat');
  });

  it('finds repeated labels without a telling class, and a label that closes the title', () => {
    const links = titles.map((t, i) => `${t}<em>${i % 2 ? '報道発表' : 'お知らせ'}</em>`);

    expect(titleExcludeFor(titleNodes(links))).toBe('em');
  });

  it('leaves alone short parts of the title that differ in every entry (no label class)', () => {
    const names = ['株式会社甲', '乙工業', '丙電機', '丁製作所'];

    expect(titleExcludeFor(titleNodes(names.map((n) => `<b>${n}</b>に対する行政処分について`)))).toBeUndefined();
  });

  it('gives each kind of label its own selector (two categories and a status tag)', () => {
    const links = titles.map(
      (t, i) =>
        `<span class="cat">研究</span><span class="area">${i % 2 ? '関東' : '近畿'}</span>${t}<span class="tag">募集中</span>`,
    );

    expect(titleExcludeFor(titleNodes(links))).toBe('span.cat, span.area, span.tag');
  });

  it('finds a status label on only a few entries when its class names a label', () => {
    const links = titles.map((t, i) => (i === 1 || i === 3 ? `${t}<span class="tag">募集中</span>` : t));

    expect(titleExcludeFor(titleNodes(links))).toBe('span.tag');
  });

  it('does not read a class that only contains "cat" (location) as a label class', () => {
    const places = ['札幌市', '仙台市', '名古屋市', '福岡市'];

    const links = places.map((p) => `<span class="location">${p}</span>で開催する研究成果発表会のお知らせ`);

    expect(titleExcludeFor(titleNodes(links))).toBeUndefined();
  });

  it('still finds the labels when one entry is nothing but its label (the extractor keeps that one)', () => {
    const cats = ['地球環境', '研究', '自然環境', '技術'];
    const links = titles.map((t, i) => `<span class="cat">${cats[i]}</span>${i === 2 ? '' : t}`);

    expect(titleExcludeFor(titleNodes(links))).toBe('span.cat');
  });

  it('never leaves out a label that is the whole title', () => {
    const links = ['公募', '報道発表', '公募', 'お知らせ'].map((c) => `<span class="cat">${c}</span>`);

    expect(titleExcludeFor(titleNodes(links))).toBeUndefined();
  });

  it('finds NEW and 新着 marks and file-type suffixes on only some entries', () => {
    const links = [
      `<span class="icon-new">NEW</span>${titles[0]}`,
      `${titles[1]}<span class="icon-new">新着</span>`,
      `${titles[2]}<span class="file">[PDF 123KB]</span>`,
      `${titles[3]}<span class="file">（Excel：1.2MB）</span>`,
    ];

    expect(titleExcludeFor(titleNodes(links))).toBe('span.icon-new, span.file');
  });

  it('finds a date printed at the start of the link', () => {
    const links = titles.map((t, i) => `<span class="day">2026年8月${19 - i}日</span>${t}`);

    expect(titleExcludeFor(titleNodes(links))).toBe('span.day');
  });

  it('gives nothing for titles without labels', () => {
    expect(titleExcludeFor(titleNodes(titles))).toBeUndefined();
  });
});
