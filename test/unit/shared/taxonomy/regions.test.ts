import { describe, expect, it } from 'vitest';
import { RegionBlockSchema } from '../../../../shared/domain/item.js';
import { prefectures } from '../../../../shared/taxonomy/prefectures.js';
import { regionBy, regionOf, regions, regionsOf } from '../../../../shared/taxonomy/regions.js';

describe('regions', () => {
  it('has exactly the 10 blocks of RegionBlockSchema, in its order', () => {
    expect(regions.map((r) => r.code)).toEqual(RegionBlockSchema.options);
  });

  it('puts every prefecture in exactly one block', () => {
    const all = regions.flatMap((r) => r.prefectures);

    expect(all).toHaveLength(47);
    expect(new Set(all)).toEqual(new Set(prefectures.map((p) => p.code)));
  });

  it.each([
    ['01', 'hokkaido'],
    ['04', 'tohoku'],
    ['13', 'kanto'],
    ['19', 'kanto'],
    ['15', 'hokuriku'],
    ['18', 'hokuriku'],
    ['23', 'chubu'],
    ['20', 'chubu'],
    ['27', 'kinki'],
    ['34', 'chugoku'],
    ['39', 'shikoku'],
    ['40', 'kyushu'],
    ['47', 'okinawa'],
  ])('puts prefecture %s in %s', (code, block) => {
    expect(regionOf(code)).toBe(block);
  });

  it('lists the blocks of several prefectures once each, in block order', () => {
    expect(regionsOf(['27', '13', '14', '99'])).toEqual(['kanto', 'kinki']);
  });

  it.each([
    ['九州', 'kyushu'],
    ['北陸地方', 'hokuriku'],
    ['近畿圏', 'kinki'],
    ['chugoku', 'chugoku'],
  ])('finds the block %s', (key, code) => {
    expect(regionBy(key)?.code).toBe(code);
  });
});
