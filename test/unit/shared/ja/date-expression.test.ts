import { describe, expect, it } from 'vitest';
import { formatDateExpression, parseDateExpression } from '../../../../shared/ja/date-expression.js';

describe('parseDateExpression', () => {
  it.each([
    ['令和7年5月30日(金)17時必着', '2025-05-30T17:00:00+09:00'],
    ['令和7年5月30日(金)必着', '2025-05-30T23:59:59+09:00'],
    ['令和7年5月30日', '2025-05-30'],
    ['R7.5.30', '2025-05-30'],
    ['令和7年4月1日（火）～5月30日（金）', '2025-04-01T00:00:00+09:00/2025-05-30T23:59:59+09:00'],
    ['5月30日 17:00まで', '2025-05-30T17:00:00+09:00'],
    ['4月1日～30日', '2025-04-01T00:00:00+09:00/2025-04-30T23:59:59+09:00'],
  ])('reads %s as %s', (text, expected) => {
    expect(formatDateExpression(parseDateExpression(text, { ref: '2025-04-10' }))).toBe(expected);
  });
});
