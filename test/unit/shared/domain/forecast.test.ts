import { describe, expect, it } from 'vitest';
import { forecastNextRound, type RoundDates } from '../../../../shared/domain/forecast.js';

/** A round opening (and maybe closing) on Tokyo days. */
function round(label: string, opens?: string, closes?: string): RoundDates {
  return {
    itemId: `it_${label}`,
    label,
    ...(opens ? { opensAt: `${opens}T00:00:00+09:00` } : {}),
    ...(closes ? { closesAt: `${closes}T17:00:00+09:00` } : {}),
  };
}

describe('forecastNextRound', () => {
  it('expects the next round in the window the past three years opened in, with the basis', () => {
    const forecast = forecastNextRound([
      round('令和6年度', '2024-04-01', '2024-05-31'),
      round('令和7年度', '2025-04-10', '2025-06-09'),
      round('令和8年度', '2026-04-05', '2026-06-05'),
    ]);

    expect(forecast).toMatchObject({
      status: 'expected',
      opens: { from: '2027-03-25', to: '2027-04-17' },
      basis: { spreadDays: 9, marginDays: 7 },
    });
    expect(forecast.status === 'expected' && forecast.basis.rounds.map((r) => r.label)).toEqual([
      '令和6年度',
      '令和7年度',
      '令和8年度',
    ]);
    expect(forecast.text).toContain('見込み');
    expect(forecast.text).toContain('令和6年度 4月1日、令和7年度 4月10日、令和8年度 4月5日');
  });

  it('adds the shortest and longest past application periods for the closing window', () => {
    const forecast = forecastNextRound([
      round('令和7年度', '2025-04-01', '2025-05-30'),
      round('令和8年度', '2026-04-01', '2026-06-05'),
    ]);

    // Opens 2027-03-25..2027-04-08; periods of 59 and 65 days (to 17:00 of the last day).
    expect(forecast).toMatchObject({ status: 'expected', closes: { from: '2027-05-23', to: '2027-06-12' } });
    expect(forecast.text).toMatch(/締切は2027年5月23日〜2027年6月12日頃の見込み/u);
  });

  it('reads rounds around new year as close together, not a year apart', () => {
    const forecast = forecastNextRound([
      round('R6', '2024-12-26'),
      round('R7', '2026-01-06'),
      round('R8', '2026-12-28'),
    ]);

    expect(forecast).toMatchObject({
      status: 'expected',
      opens: { from: '2027-12-19', to: '2028-01-13' },
      basis: { spreadDays: 11 },
    });
  });

  it.each([
    ['2月29日 of a leap year as 2月28日', '2024-02-29', '2025-02-28', { from: '2026-02-21', to: '2026-03-07' }],
    [
      '3月1日 after a leap day as the same day of the year',
      '2023-03-01',
      '2024-03-01',
      { from: '2025-02-22', to: '2025-03-08' },
    ],
  ])('counts %s', (_, first, second, opens) => {
    const forecast = forecastNextRound([round('a', first), round('b', second)]);

    expect(forecast).toMatchObject({ status: 'expected', opens, basis: { spreadDays: 0 } });
  });

  it('widens the window when the past rounds spread wider', () => {
    const narrow = forecastNextRound([round('a', '2025-04-01'), round('b', '2026-04-05')]);
    const wide = forecastNextRound([round('a', '2025-04-01'), round('b', '2026-05-10')]);

    expect(narrow).toMatchObject({ opens: { from: '2027-03-25', to: '2027-04-12' }, basis: { marginDays: 7 } });
    expect(wide).toMatchObject({ opens: { from: '2027-03-18', to: '2027-05-24' }, basis: { marginDays: 14 } });
  });

  it('gives no forecast when the past rounds opened more than 60 days apart in the year', () => {
    const forecast = forecastNextRound([round('令和7年度', '2025-04-01'), round('令和8年度', '2026-07-01')]);

    expect(forecast).toMatchObject({ status: 'none', reason: 'spread-too-wide' });
    expect(forecast.text).toContain('見込み');
  });

  it.each([
    ['one round', [round('a', '2026-04-01')]],
    ['rounds without opening dates', [round('a', undefined, '2025-05-30'), round('b', '2026-04-01'), round('c')]],
    ['two rounds of one fiscal year', [round('第1回', '2026-04-01'), round('第2回', '2026-09-01')]],
  ])('gives no forecast from %s', (_, rounds) => {
    expect(forecastNextRound(rounds)).toMatchObject({ status: 'none', reason: 'too-few-rounds' });
  });

  it('looks at the first round of each fiscal year', () => {
    const forecast = forecastNextRound([
      round('令和7年度 第1回', '2025-04-01'),
      round('令和7年度 第2回', '2025-09-01'),
      round('令和8年度 第1回', '2026-04-03'),
    ]);

    expect(forecast).toMatchObject({ status: 'expected', basis: { spreadDays: 2 } });
  });
});
