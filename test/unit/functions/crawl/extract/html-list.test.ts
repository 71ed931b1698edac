import { describe, expect, it } from 'vitest';
import { ExtractionError } from '../../../../../shared/errors.js';
import { cleanHtmlTitle, extractHtmlList, withoutFileNote } from '../../../../../functions/crawl/extract/html-list.js';

const maffLike = `<div id="main_content"><h1>報道発表資料</h1>
<h2>令和8年11月分</h2><p class="list_item_date">11月24日</p>
<dl class="list_item"><dt>研究開発</dt><dd><a href="./gijutsu/261124.html">先端技術を活用した農林水産研究高度化事業の公募について</a></dd></dl>
<dl class="list_item"><dt>林野</dt><dd><a href="https://www.rinya.maff.go.jp/j/press/261124.html">森林の写真展</a></dd></dl>
<h2>令和8年10月分</h2><p class="list_item_date">10月2日</p>
<dl class="list_item"><dt>消費・安全</dt><dd><a href="./syouan/261002.html">講習会の開催について</a></dd></dl>
</div><ul><li><a href="/menu.html">メニュー</a></li></ul>`;

describe('extractHtmlList', () => {
  it('gives day-only entries the preceding date and the 和暦 month heading', () => {
    const page = extractHtmlList(maffLike, 'https://www.maff.go.jp/j/press/index.html', {
      container: '#main_content',
      item: 'dl.list_item',
      title: 'dd a',
      link: 'dd a',
      dateBefore: 'p.list_item_date',
      dateContext: 'h2',
    });

    expect(page.items).toEqual([
      {
        title: '先端技術を活用した農林水産研究高度化事業の公募について',
        url: 'https://www.maff.go.jp/j/press/gijutsu/261124.html',
        dateText: '11月24日',
        dateContext: '令和8年11月分',
      },
      {
        title: '森林の写真展',
        url: 'https://www.rinya.maff.go.jp/j/press/261124.html',
        dateText: '11月24日',
        dateContext: '令和8年11月分',
      },
      {
        title: '講習会の開催について',
        url: 'https://www.maff.go.jp/j/press/syouan/261002.html',
        dateText: '10月2日',
        dateContext: '令和8年10月分',
      },
    ]);
  });

  it('reads table rows with an application period and skips the header row', () => {
    const html = `<table class="koubo"><tr><th>掲載日</th><th>件名</th><th>募集期間</th></tr>
      <tr><td class="date">令和8年11月4日</td><td class="title"><a href="/hojo/1.html">ものづくり
        助成金\u3000（第３回）</a></td><td class="period">令和8年11月4日～令和8年12月11日</td></tr></table>`;

    const page = extractHtmlList(html, 'http://pref.example/hojo/index.html', {
      item: 'table.koubo tr',
      title: 'td.title a',
      link: 'td.title a',
      date: 'td.date',
      period: 'td.period',
    });

    expect(page.items).toEqual([
      {
        title: 'ものづくり 助成金\u3000（第３回）',
        url: 'http://pref.example/hojo/1.html',
        dateText: '令和8年11月4日',
        periodText: '令和8年11月4日～令和8年12月11日',
      },
    ]);
  });

  it('resolves links against <base href> and finds the next page', () => {
    const html = `<head><base href="https://news.example/archive/"></head><ul><li><a href="a.html">お知らせ</a></li></ul>
      <div class="next"><a href="?page=2">次へ</a></div>`;

    const page = extractHtmlList(html, 'https://news.example/index.html', { item: 'ul li', nextPage: '.next a' });

    expect(page.items[0]?.url).toBe('https://news.example/archive/a.html');
    expect(page.nextPageUrl).toBe('https://news.example/archive/?page=2');
  });

  it('accepts jQuery-only selectors through cheerio', () => {
    const page = extractHtmlList(
      '<ul><li><a href="/1">一</a></li><li><a href="/2">二</a></li></ul>',
      'https://x.example/',
      {
        item: 'li:first',
      },
    );

    expect(page.items.map((i) => i.title)).toEqual(['一']);
  });

  it('throws an ExtractionError naming the selector when nothing matches (a redesign)', () => {
    expect(() =>
      extractHtmlList('<div>リニューアルしました</div>', 'https://x.example/', { item: 'dl.list_item' }),
    ).toThrow(new ExtractionError('no entries match the item selector "dl.list_item"; has the page layout changed?'));
  });

  it('reports entries without a title, without a link or with a non-http link as dropped', () => {
    const html = `<ul class="news">
      <li><a href="/ok.html">使える記事</a></li>
      <li><a href="javascript:void(0)">スクリプトの記事</a></li>
      <li><a href="mailto:koho@example.go.jp">メールで問合せ</a></li>
      <li><a href="data:text/html,x">データ</a></li>
      <li><a href="file:///c:/a.html">ファイル</a></li>
      <li><a href="/empty.html"> </a></li>
      <li><a>リンクのない記事</a></li>
      <li><a href="">空のリンク</a></li>
    </ul>`;

    const page = extractHtmlList(html, 'https://x.example/news/', { item: 'ul.news > li', title: 'a', link: 'a' });

    expect(page.items.map((i) => i.url)).toEqual(['https://x.example/ok.html']);
    expect(page.dropped).toEqual([
      { reason: 'non-http-link', title: 'スクリプトの記事', link: 'javascript:void(0)' },
      { reason: 'non-http-link', title: 'メールで問合せ', link: 'mailto:koho@example.go.jp' },
      { reason: 'non-http-link', title: 'データ', link: 'data:text/html,x' },
      { reason: 'non-http-link', title: 'ファイル', link: 'file:///c:/a.html' },
      { reason: 'no-title', link: '/empty.html' },
      { reason: 'no-link', title: 'リンクのない記事' },
      { reason: 'no-link', title: '空のリンク', link: '' },
    ]);
  });

  it('reports no dropped entries when every entry is usable', () => {
    const page = extractHtmlList('<ul><li><a href="/1">一</a></li></ul>', 'https://x.example/', { item: 'li' });

    expect(page.dropped).toBeUndefined();
  });

  it.each([
    ['line breaks and indentation', 'ものづくり\n      助成金', 'ものづくり 助成金'],
    ['tabs and spaces at the ends', '\t 公募 \r\n', '公募'],
    ['a 全角 space inside the title', '説明会\u3000（第２回）', '説明会\u3000（第２回）'],
    ['a 全角 space beside layout white space', '検討会\n  ～報告～\u3000の公表', '検討会 ～報告～\u3000の公表'],
    ['a no-break space', '第1回\u00a0会合', '第1回\u00a0会合'],
  ])('cleanHtmlTitle collapses layout white space but keeps display characters: %s', (_, raw, clean) => {
    expect(cleanHtmlTitle(raw)).toBe(clean);
  });

  it('reads a date printed only in a comment before the entry (dt commented out)', () => {
    const html = `<dl class="news"><!-- dt>平成38年8月7日</dt --><dd><a href="/a.html">一つ目</a></dd>
      <!-- dt>平成38年8月6日</dt --><dd><a href="/b.html">二つ目</a></dd></dl>`;

    const page = extractHtmlList(html, 'https://x.example/', {
      item: 'dl.news > dd',
      title: 'a',
      link: 'a',
      dateInComment: true,
    });

    expect(page.items.map((i) => [i.title, i.dateText?.trim()])).toEqual([
      ['一つ目', 'dt>平成38年8月7日</dt'],
      ['二つ目', 'dt>平成38年8月6日</dt'],
    ]);
  });

  it('prefers a dated comment inside the entry over one before it', () => {
    const html = `<ul class="news"><!-- 更新 2026年1月1日 -->
      <li><!-- <span class="date">2026年8月7日</span> --><a href="/a.html">一つ目</a></li>
      <li><!-- 作成者メモ --><a href="/b.html">日付なし</a></li>
      <!-- 2026年8月5日 --><li><a href="/c.html">三つ目</a></li></ul>`;

    const page = extractHtmlList(html, 'https://x.example/', { item: 'ul.news > li', dateInComment: true });

    expect(page.items.map((i) => i.dateText?.trim())).toEqual([
      '<span class="date">2026年8月7日</span>',
      undefined,
      '2026年8月5日',
    ]);
  });

  it('ignores comments unless dateInComment is set', () => {
    const html = '<ul><li><!-- 2026年8月7日 --><a href="/a.html">一つ目</a></li></ul>';

    const page = extractHtmlList(html, 'https://x.example/', { item: 'li' });

    expect(page.items[0]?.dateText).toBeUndefined();
  });

  it("lets the date selector match the entry itself (a date in the entry's own text)", () => {
    const html = '<ul><li class="n">2026年8月7日 <a href="/a.html">一つ目</a></li></ul>';

    const page = extractHtmlList(html, 'https://x.example/', { item: 'li.n', title: 'a', link: 'a', date: 'li.n' });

    expect(page.items[0]?.dateText).toBe('2026年8月7日 一つ目');
  });

  describe('titleExclude', () => {
    const labelled = `<ul class="press">
<li><a href="/p/1.html"><span class="cat">地球環境</span>脱炭素先行地域づくり事業の公募について<span class="pdf">[PDF 123KB]</span></a></li>
<li><a href="/p/2.html"><span class="new">NEW</span><span class="cat">研究</span>環境研究総合推進費の公募開始について</a></li>
<li><a href="/p/3.html">ラベルのない 報道発表</a></li></ul>`;

    it('leaves labels inside the title node out of the title', () => {
      const page = extractHtmlList(labelled, 'https://www.env.example.go.jp/press/', {
        item: 'ul.press > li',
        title: 'a',
        link: 'a',
        titleExclude: 'span.cat, span.new, span.pdf',
      });

      expect(page.items.map((i) => i.title)).toEqual([
        '脱炭素先行地域づくり事業の公募について',
        '環境研究総合推進費の公募開始について',
        'ラベルのない 報道発表',
      ]);
    });

    it('keeps the labels without it (the title as the text of the whole node)', () => {
      const page = extractHtmlList(labelled, 'https://www.env.example.go.jp/press/', {
        item: 'ul.press > li',
        title: 'a',
        link: 'a',
      });

      expect(page.items[0]?.title).toBe('地球環境脱炭素先行地域づくり事業の公募について[PDF 123KB]');
    });

    it('keeps a title that is nothing but labels', () => {
      const html = `<ul><li><a href="/1.html"><span class="cat">お知らせ</span></a></li><li><a href="/2.html"><span class="cat">研究</span>公募について</a></li></ul>`;

      const page = extractHtmlList(html, 'https://x.example/', {
        item: 'li',
        title: 'a',
        link: 'a',
        titleExclude: 'span.cat',
      });

      expect(page.items.map((i) => i.title)).toEqual(['お知らせ', '公募について']);
    });

    it('never leaves out the title node itself, so a label that is the whole title stays', () => {
      const html = `<ul><li><span class="cat">お知らせ</span></li><li><a href="/2.html"><span class="cat">研究</span>公募</a></li></ul>`;

      const page = extractHtmlList(html, 'https://x.example/', {
        item: 'li',
        title: 'span.cat',
        link: 'a',
        titleExclude: 'span.cat',
      });

      expect(page.dropped).toEqual([{ reason: 'no-link', title: 'お知らせ' }]);
      expect(page.items).toEqual([expect.objectContaining({ title: '研究', url: 'https://x.example/2.html' })]);
    });

    it("leaves labels out of the entry's own text when the entry is the title", () => {
      const html = `<ul><li><span class="cat">報道発表</span><a href="/1.html">第3回審議会の開催について</a></li></ul>`;

      const page = extractHtmlList(html, 'https://x.example/', { item: 'li', titleExclude: 'span.cat' });

      expect(page.items[0]?.title).toBe('第3回審議会の開催について');
    });
  });

  describe('dropFileNote', () => {
    const html = `<ul><li><a href="/1.pdf">調査報告書<img src="/pdf.gif" alt="PDF">（PDF：1,234KB）</a></li>
<li><a href="/2.html">説明会（オンライン）の開催について</a></li><li><a href="/3.pdf">（PDF：100KB）</a></li></ul>`;

    it('drops a bare-text file-type note at the end of the title, and keeps a title that is only a note', () => {
      const page = extractHtmlList(html, 'https://x.example/', {
        item: 'li',
        title: 'a',
        link: 'a',
        dropFileNote: true,
      });

      expect(page.items.map((i) => i.title)).toEqual([
        '調査報告書',
        '説明会（オンライン）の開催について',
        '（PDF：100KB）',
      ]);
    });

    it('keeps the note without it', () => {
      const page = extractHtmlList(html, 'https://x.example/', { item: 'li', title: 'a', link: 'a' });

      expect(page.items[0]?.title).toBe('調査報告書（PDF：1,234KB）');
    });
  });

  it.each([
    ['調査報告書（PDF：1.2MB）', '調査報告書'],
    ['報告 [PDF 123KB]', '報告'],
    ['資料［Excel形式］', '資料'],
    ['報告（PDF形式：123KB）（Word：50KB）', '報告'],
    ['説明会（オンライン）', '説明会（オンライン）'],
    ['PDFの作り方（初心者向け）', 'PDFの作り方（初心者向け）'],
    ['（PDF：100KB）', '（PDF：100KB）'],
  ])('withoutFileNote(%s) is %s', (title, expected) => {
    expect(withoutFileNote(title)).toBe(expected);
  });
});
