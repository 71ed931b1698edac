import { describe, expect, it } from 'vitest';
import { RecentMap } from '../../../shared/recent-map.js';

describe('RecentMap', () => {
  it('keeps at most maxEntries, dropping the oldest first', () => {
    const recent = new RecentMap<number>({ maxEntries: 2 });
    recent.set('a', 1);
    recent.set('b', 2);
    recent.set('c', 3);

    expect(recent.get('a')).toBeUndefined();
    expect([recent.get('b'), recent.get('c')]).toEqual([2, 3]);
  });

  it('keeps the total weight under maxWeight, and a replaced entry counts once, as the newest', () => {
    const recent = new RecentMap<string>({ maxEntries: 10, maxWeight: 10, weigh: (key, value) => value.length });
    recent.set('a', 'xxxx');
    recent.set('b', 'xxxx');
    recent.set('a', 'yyyy'); // replaces: total stays 8, and 'a' is now the newest
    recent.set('c', 'zz');

    expect([recent.get('a'), recent.get('b'), recent.get('c')]).toEqual(['yyyy', 'xxxx', 'zz']);

    recent.set('d', 'ww'); // total would be 12: the oldest ('b') goes

    expect(recent.get('b')).toBeUndefined();
    expect([recent.get('a'), recent.get('c'), recent.get('d')]).toEqual(['yyyy', 'zz', 'ww']);
  });
});
