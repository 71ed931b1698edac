import type { RegionBlock } from '../../../shared/domain/item.js';
import { detectFields } from '../../../shared/taxonomy/fields.js';
import { ministryByHost } from '../../../shared/taxonomy/ministries.js';
import { detectPrefectures } from '../../../shared/taxonomy/prefectures.js';
import { regionsOf } from '../../../shared/taxonomy/regions.js';

/** What the text of an item says about where and what it is. */
export interface DetectedFacts {
  readonly prefectures: string[];
  readonly regions: RegionBlock[];
  readonly fields: string[];
  /** Publisher code from the item's host (an aggregator's items point at many ministries). */
  readonly ministry?: string;
}

/**
 * Prefectures, regions, fields and ministry from an item's text and URL, through
 * shared/taxonomy. The source's own prefectures always count.
 */
export function detectFacts(input: { text: string; url: string; sourcePrefectures: readonly string[] }): DetectedFacts {
  const prefectures = [...new Set([...input.sourcePrefectures, ...detectPrefectures(input.text)])].sort();
  const ministry = ministryByHost(input.url)?.code;
  return {
    prefectures,
    regions: regionsOf(prefectures),
    fields: detectFields(input.text),
    ...(ministry ? { ministry } : {}),
  };
}
