import { describe, expect, it } from 'vitest';
import * as portal from '../../../portal/src/labels.js';
import * as vocabulary from '../../../shared/taxonomy/labels.js';

describe('portal labels', () => {
  it('are the one vocabulary the mails, feeds and CSV use', () => {
    expect(portal.kindLabels).toBe(vocabulary.kindLabels);
    expect(portal.statusLabels).toBe(vocabulary.statusLabels);
    expect(portal.facetTitles).toBe(vocabulary.facetTitles);
    expect(portal.facetLabel).toBe(vocabulary.facetLabel);
    expect(portal.changeFieldLabels).toBe(vocabulary.itemFieldLabels);
  });

  it('say 募集中 for an open call and name prefectures and ministries', () => {
    expect(portal.statusLabels.open).toBe('募集中');
    expect(portal.facetLabel('prefecture', '20')).toBe('長野県');
    expect(portal.facetLabel('ministry', 'mext')).toBe('文部科学省');
  });
});
