import { describe, expect, it } from 'vitest';
import { ministries, ministryByCode, ministryByHost, ministryByName } from '../../../../shared/taxonomy/ministries.js';

describe('ministries', () => {
  it('covers the 8 府省, the agencies, デジタル庁 and 47 prefectures with unique codes', () => {
    const codes = ministries.map((m) => m.code);

    expect(codes).toEqual(
      expect.arrayContaining([
        'cao',
        'mic',
        'mext',
        'mhlw',
        'maff',
        'meti',
        'mlit',
        'moe',
        'jst',
        'nedo',
        'amed',
        'jsps',
        'smrj',
        'digital',
      ]),
    );
    expect(ministries.filter((m) => m.kind === 'prefecture')).toHaveLength(47);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it.each([
    ['www.mext.go.jp', 'mext'],
    ['www8.cao.go.jp', 'cao'],
    ['esri.cao.go.jp', 'cao'],
    ['www.soumu.go.jp', 'mic'],
    ['www.env.go.jp', 'moe'],
    ['www.chusho.meti.go.jp', 'meti'],
    ['https://www.jst.go.jp/pr/info/index.html', 'jst'],
    ['www.nedo.go.jp', 'nedo'],
    ['www.amed.go.jp', 'amed'],
    ['www.jsps.go.jp', 'jsps'],
    ['www.smrj.go.jp', 'smrj'],
    ['www.jgrants-portal.go.jp', 'digital'],
    ['WWW.MAFF.GO.JP', 'maff'],
    ['www.mlit.go.jp:443', 'mlit'],
    ['www.metro.tokyo.lg.jp', 'pref-13'],
    ['www.pref.osaka.lg.jp', 'pref-27'],
    ['web.pref.hyogo.lg.jp', 'pref-28'],
    ['www.pref.kyoto.jp', 'pref-26'],
    ['www.pref.hokkaido.lg.jp', 'pref-01'],
  ])('knows %s as %s', (host, code) => {
    expect(ministryByHost(host)?.code).toBe(code);
  });

  it.each([['example.com'], ['notmext.go.jp'], ['go.jp'], ['not a url://']])('does not know %s', (host) => {
    expect(ministryByHost(host)).toBeUndefined();
  });

  it.each([
    ['文部科学省', 'mext'],
    ['文科省', 'mext'],
    ['経産省', 'meti'],
    ['ＪＳＴ', 'jst'],
    ['中小機構', 'smrj'],
    ['東京都', 'pref-13'],
    ['大阪', 'pref-27'],
    ['moe', 'moe'],
  ])('reads the name %s as %s', (name, code) => {
    expect(ministryByName(name)?.code).toBe(code);
  });

  it('names prefectures as publishers', () => {
    expect(ministryByCode('pref-47')?.name).toBe('沖縄県');
  });
});
