import { describe, expect, it } from 'vitest';
import { extractDetail } from '../../../../../functions/crawl/extract/detail.js';

describe('extractDetail', () => {
  it('reads budget, eligibility and the e-Rad requirement from the main content only', () => {
    const html = `<nav>予算額：1円 メニュー</nav><main id="content"><h1>知的クラスター創成事業（第II期）</h1>
      <table><tr><th>予算額</th><td>5,521百万円</td></tr><tr><th>公募期間</th><td>令和8年11月2日～令和8年12月18日17時必着</td></tr>
      <tr><th>応募資格</th><td>地方公共団体が指定する中核機関</td></tr></table><p>応募は府省共通研究開発管理システム（e-Rad）で受け付けます。</p></main>`;

    const facts = extractDetail(html, '#content');

    expect(facts).toMatchObject({
      budgetText: '5,521百万円',
      budgetYen: 5_521_000_000,
      eligibility: '地方公共団体が指定する中核機関',
      requiresERad: true,
    });
    expect(facts.text).toContain('令和8年11月2日~令和8年12月18日17時必着');
    expect(facts.text).not.toContain('メニュー');
  });
});
