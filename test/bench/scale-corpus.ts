import type { Item } from '../../shared/domain/item.js';
import { generateCorpus, itemFromSearchDoc, seededRandom } from '../support/search-corpus.js';

/**
 * The scale benchmark's corpus: `generateCorpus`'s items with titles lengthened to ~40
 * characters, summaries to ~120 and a body of 1,000–3,000 characters, produced in deterministic chunks so a million
 * items never sit in memory at once. Chunk `c` is always the same items, whichever run makes it.
 */

/** Items per chunk; a chunk is ~10–30 MB of text. */
export const scaleChunkSize = 5_000;

const bodySentences = [
  '本事業は、地域の大学、公設試験研究機関、企業が連携して行う研究開発を支援するものです。',
  '応募にあたっては、府省共通研究開発管理システム（e-Rad）への事前登録が必要です。',
  '補助対象経費は、人件費、設備備品費、消耗品費、旅費、外注費及びその他の経費とします。',
  '採択件数は10件程度を予定しており、1件あたりの補助上限額は3,000万円です。',
  '審査は書面審査及びヒアリング審査により行い、結果は応募者全員に通知します。',
  '公募説明会をオンラインで開催しますので、参加を希望される方は事前にお申し込みください。',
  '研究成果の社会実装に向けて、自治体や金融機関との連携体制を構築することが求められます。',
  '若手研究者や女性研究者の積極的な参画を期待しています。',
  '提出書類に不備がある場合は審査の対象外となることがありますのでご注意ください。',
  '本件に関するお問い合わせは、電子メールにて担当窓口までお寄せください。',
  '実施期間は採択決定日から令和8年3月31日までとし、最長3年間の継続を可能とします。',
  '知的財産権の取扱いについては、別途定める規程に従うものとします。',
  '地域経済の活性化と新産業の創出に資する提案を広く募集します。',
  '事業終了後には成果報告書を提出し、成果報告会で発表していただきます。',
  'なお、予算の成立状況により事業内容が変更となる場合があります。',
];

/** Tails that bring `generateCorpus`'s short titles (~19 characters) to a ministry page's ~40. */
const titleTails = [
  'に係る提案の公募について（第2回）',
  '～地域の研究開発力の強化に向けて～',
  '：令和8年度採択候補の募集を開始しました',
  'の実施について（お知らせ）',
  '―産学官連携による社会実装の推進―',
];

/** A body of 1,000–3,000 characters from the seeded sentence list. */
function bodyOf(random: () => number, subject: string): string {
  const target = 1_000 + Math.floor(random() * 2_000);
  let body = `${subject}に関する事業の概要は次のとおりです。`;
  while (body.length < target) body += bodySentences[Math.floor(random() * bodySentences.length)];
  return body.slice(0, target);
}

/** Chunk `chunk` of the corpus: `count` items (at most `scaleChunkSize`), ids unique across chunks. */
export function scaleChunk(chunk: number, count = scaleChunkSize): Item[] {
  const random = seededRandom(1_000_003 * (chunk + 1));
  return generateCorpus(count, 10_000 + chunk).map((doc) =>
    itemFromSearchDoc({
      ...doc,
      title: `${doc.title}${titleTails[Math.floor(random() * titleTails.length)]}`,
      summary: `${doc.summary ?? ''}${bodySentences[Math.floor(random() * bodySentences.length)]}`,
      bodyText: bodyOf(random, doc.title.slice(0, 12)),
    }),
  );
}
