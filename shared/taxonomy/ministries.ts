/**
 * Publishers: the 8 府省 of the 2007 cluster programmes, the funding agencies, デジタル庁 (which
 * runs jGrants) and the 47 prefectures. `Item.ministry` holds the `code`.
 */
import { normalizeText } from '../ja/normalize.js';
import { prefectures } from './prefectures.js';

/** A publisher: ministry, agency or prefecture. */
export interface Ministry {
  /** Stable code: `mext`, `jst`, or `pref-13` for a prefecture. */
  readonly code: string;
  /** Official name: 文部科学省, 科学技術振興機構, 東京都. */
  readonly name: string;
  /** Names pages also use: 文科省, JST, 東京. */
  readonly aliases: readonly string[];
  readonly kind: 'ministry' | 'agency' | 'prefecture';
  /** Hosts it publishes on; subdomains count (www8.cao.go.jp is cao). */
  readonly hosts: readonly string[];
}

const national: readonly Ministry[] = [
  { code: 'cao', name: '内閣府', aliases: ['Cabinet Office'], kind: 'ministry', hosts: ['cao.go.jp'] },
  { code: 'mic', name: '総務省', aliases: ['MIC'], kind: 'ministry', hosts: ['soumu.go.jp'] },
  { code: 'mext', name: '文部科学省', aliases: ['文科省', 'MEXT'], kind: 'ministry', hosts: ['mext.go.jp'] },
  { code: 'mhlw', name: '厚生労働省', aliases: ['厚労省', 'MHLW'], kind: 'ministry', hosts: ['mhlw.go.jp'] },
  { code: 'maff', name: '農林水産省', aliases: ['農水省', 'MAFF'], kind: 'ministry', hosts: ['maff.go.jp'] },
  { code: 'meti', name: '経済産業省', aliases: ['経産省', 'METI'], kind: 'ministry', hosts: ['meti.go.jp'] },
  { code: 'mlit', name: '国土交通省', aliases: ['国交省', 'MLIT'], kind: 'ministry', hosts: ['mlit.go.jp'] },
  { code: 'moe', name: '環境省', aliases: ['MOE'], kind: 'ministry', hosts: ['env.go.jp'] },
  {
    code: 'digital',
    name: 'デジタル庁',
    aliases: ['jGrants', 'Jグランツ'],
    kind: 'ministry',
    hosts: ['digital.go.jp', 'jgrants-portal.go.jp'],
  },
  {
    code: 'jst',
    name: '科学技術振興機構',
    aliases: ['JST', '国立研究開発法人科学技術振興機構'],
    kind: 'agency',
    hosts: ['jst.go.jp'],
  },
  {
    code: 'nedo',
    name: '新エネルギー・産業技術総合開発機構',
    aliases: ['NEDO', '国立研究開発法人新エネルギー・産業技術総合開発機構'],
    kind: 'agency',
    hosts: ['nedo.go.jp'],
  },
  {
    code: 'amed',
    name: '日本医療研究開発機構',
    aliases: ['AMED', '国立研究開発法人日本医療研究開発機構'],
    kind: 'agency',
    hosts: ['amed.go.jp'],
  },
  {
    code: 'jsps',
    name: '日本学術振興会',
    aliases: ['JSPS', '学振', '独立行政法人日本学術振興会'],
    kind: 'agency',
    hosts: ['jsps.go.jp'],
  },
  {
    code: 'smrj',
    name: '中小企業基盤整備機構',
    aliases: ['中小機構', 'SMRJ', '独立行政法人中小企業基盤整備機構'],
    kind: 'agency',
    hosts: ['smrj.go.jp'],
  },
];

// Prefectures publish on pref.<slug>.lg.jp or pref.<slug>.jp; Tokyo on metro.tokyo.lg.jp.
const prefectural: readonly Ministry[] = prefectures.map((p) => ({
  code: `pref-${p.code}`,
  name: p.name,
  aliases: p.short === p.name ? [] : [p.short],
  kind: 'prefecture',
  hosts: p.code === '13' ? ['metro.tokyo.lg.jp', 'metro.tokyo.jp'] : [`pref.${p.slug}.lg.jp`, `pref.${p.slug}.jp`],
}));

/** Every publisher: ministries and agencies first, then prefectures in JIS order. */
export const ministries: readonly Ministry[] = [...national, ...prefectural];

const byCode = new Map(ministries.map((m) => [m.code, m]));

/** @example ministryByCode('pref-13')?.name === '東京都' */
export function ministryByCode(code: string): Ministry | undefined {
  return byCode.get(code);
}

/**
 * The publisher a host (or URL) belongs to; subdomains count and the longest host wins.
 * `undefined` for hosts we do not know.
 *
 * @example ministryByHost('www.mext.go.jp')?.code === 'mext'
 * @example ministryByHost('https://www.pref.osaka.lg.jp/kikaku/')?.code === 'pref-27'
 * @example ministryByHost('esri.cao.go.jp')?.code === 'cao'
 */
export function ministryByHost(hostOrUrl: string): Ministry | undefined {
  let host = hostOrUrl.trim().toLowerCase();
  if (host.includes('://')) {
    try {
      host = new URL(host).hostname;
    } catch {
      return undefined;
    }
  }
  host = host.replace(/:\d+$/u, '').replace(/\.$/u, '');
  let best: { ministry: Ministry; length: number } | undefined;
  for (const ministry of ministries) {
    for (const h of ministry.hosts) {
      if ((host === h || host.endsWith(`.${h}`)) && (!best || h.length > best.length))
        best = { ministry, length: h.length };
    }
  }
  return best?.ministry;
}

/**
 * The publisher a name refers to: official name, alias or code, width-folded (ＪＳＴ works).
 *
 * @example ministryByName('文科省')?.code === 'mext'
 * @example ministryByName('大阪府')?.code === 'pref-27'
 */
export function ministryByName(name: string): Ministry | undefined {
  const key = normalizeText(name);
  const lower = key.toLowerCase();
  return ministries.find(
    (m) => m.name === key || m.code === lower || m.aliases.some((a) => a === key || a.toLowerCase() === lower),
  );
}
