import { describe, expect, it } from 'vitest';
import { apiParams, pageSearch, readState } from '../../../portal/src/state.js';

describe('portal search state', () => {
  it('reads applicants, the amount range in yen, the new sorts and the 見込み view from the URL', () => {
    const state = readState(
      '?applicant=sme,university&amountMin=10000000&amountMax=50000000&sort=amount&view=expected',
    );

    expect(state.filters.applicant).toEqual(['sme', 'university']);
    expect([state.amountMin, state.amountMax]).toEqual([10_000_000, 50_000_000]);
    expect(state.sort).toBe('amount');
    expect(state.view).toBe('expected');
    expect(readState('?sort=expected').sort).toBe('expected');
  });

  it('drops an amount that is not whole yen and a sort or view it does not know', () => {
    const state = readState('?amountMin=-5&amountMax=1.5&sort=cheapest&view=calendar');

    expect([state.amountMin, state.amountMax, state.sort, state.view]).toEqual([undefined, undefined, '', '']);
    expect(readState('?amountMin=99999999999999999').amountMin).toBeUndefined();
  });

  it('sends the amount range and applicants to the API as the URL has them', () => {
    const params = apiParams(readState('?q=半導体&applicant=sme&amountMin=10000000&sort=amount'));

    expect(params.toString()).toBe(`q=${encodeURIComponent('半導体')}&applicant=sme&amountMin=10000000&sort=amount`);
  });

  it('asks for status=expected and sort=expected in the 見込み view, in place of chosen statuses, order and cursor', () => {
    const state = readState('?view=expected&status=open&sort=newest&cursor=abc&page=2&ministry=mext');

    expect(apiParams(state, { paging: true }).toString()).toBe('status=expected&ministry=mext&sort=expected');
    expect(apiParams(state, { sort: false }).toString()).toBe('status=expected&ministry=mext');
  });

  it('keeps the 見込み view in the page URL without the status and order it implies', () => {
    const state = readState('?view=expected&ministry=mext&amountMax=30000000');

    expect(pageSearch(state)).toBe('?view=expected&ministry=mext&amountMax=30000000');
    expect(pageSearch({ ...state, item: 'it_0123' })).toBe(
      '?view=expected&ministry=mext&amountMax=30000000&item=it_0123',
    );
    expect(readState(pageSearch(state))).toEqual(state);
    expect(pageSearch(readState(''))).toBe('');
  });
});
