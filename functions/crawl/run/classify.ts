import type { ItemKind } from '../../../shared/domain/item.js';
import { normalizeText } from '../../../shared/ja/normalize.js';

/** Words that make an announcement a call (公募・支援施策), even on a news feed. */
const callWords = /公募|募集|補助金|助成|委託|支援事業の提案|提案募集/u;

/**
 * Announcements that use a call word but are not calls: staff recruitment (職員…採用, 求人),
 * public comment (意見募集, パブリックコメント), and results of a past call (採択結果, 選定結果).
 */
const notCallWords =
  /採用(のお知らせ|予定|情報|試験)|職員.{0,12}募集|求人|意見(の)?募集|パブリック・?コメント|採択(結果|事業|者|課題)の?(決定|公表|について)?|選定結果|審査結果|交付決定|結果について/u;

/**
 * The kind of an item from its title (and summary): a call when the text announces 公募, 募集,
 * 補助金, 助成 or 委託 and is not one of the look-alikes above; otherwise the source's default.
 *
 * @example classifyKind('内航船…事業の３次公募開始', 'news') === 'call'
 * @example classifyKind('非常勤職員採用のお知らせ', 'news') === 'news'
 */
export function classifyKind(title: string, defaultKind: ItemKind, summary?: string): ItemKind {
  const text = normalizeText(title);
  if (notCallWords.test(text)) return defaultKind === 'call' ? 'news' : defaultKind;
  if (callWords.test(text)) return 'call';
  if (defaultKind !== 'call' && summary && /を公募します|を募集します|公募を開始/u.test(normalizeText(summary)))
    return 'call';
  return defaultKind;
}
