import { describe, expect, it } from 'vitest';
import { classifyKind } from '../../../../../functions/crawl/run/classify.js';

describe('classifyKind', () => {
  it.each([
    '内航船革新的運航効率化・非化石エネルギー転換推進事業の３次公募開始',
    '令和8年度物流パートナーシップ優良事業者を募集します',
    '知的クラスター創成事業（第II期）の公募について',
    '地域産業技術開発費補助金の交付申請受付',
    '先端技術を活用した農林水産研究高度化事業の委託先の募集',
  ])('reads %s on a news feed as a call', (title) => {
    expect(classifyKind(title, 'news')).toBe('call');
  });

  it.each([
    '文部科学省大臣官房会計課非常勤職員（公用車運転手）採用のお知らせ（令和8年10月1日採用予定）',
    '「企業買収における行動指針」に係るパブリックコメントの受付を開始しました',
    '都市エリア産学官連携促進事業の採択課題の決定について',
    '中央教育審議会大学分科会（第11回）を開催します',
  ])('keeps %s as news', (title) => {
    expect(classifyKind(title, 'news')).toBe('news');
  });

  it('keeps the default kind of a call listing', () => {
    expect(classifyKind('地域結集型研究開発プログラム', 'call')).toBe('call');
  });
});
