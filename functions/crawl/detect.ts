import type { RegionBlock } from '../../shared/domain/item.js';

/** What the text of an item says about where and what it is. */
export interface DetectedFacts {
  readonly prefectures: string[];
  readonly regions: RegionBlock[];
  readonly fields: string[];
  readonly ministry?: string;
}

/**
 * Prefectures, regions, fields and ministry from an item's text and URL, through
 * shared/taxonomy. The source's own prefectures always count.
 */
export function detectFacts(input: { text: string; url: string; sourcePrefectures: readonly string[] }): DetectedFacts {
  const prefectures = [...new Set(input.sourcePrefectures)].sort();
  return { prefectures, regions: [], fields: [] };
}
