import * as z from 'zod';
import { ItemSchema } from '../../shared/domain/item.js';
import { InvalidInputError } from '../../shared/errors.js';
import { parseInput } from '../../shared/parse-input.js';
import type { ItemChange } from '../../shared/store/item-store.js';
import { isItemRecord, keyAttributes } from '../../shared/store/keys.js';

/**
 * DynamoDB stream records (view type NEW_AND_OLD_IMAGES) as the index Lambda receives them.
 * Only item records (`type = 'item'`) become changes; the table's other records (aliases, title
 * keys, crawl state, crawl runs, source health) pass through the same stream and are skipped.
 */

const AttributeMapSchema = z.record(z.string(), z.record(z.string(), z.unknown()));

const StreamRecordSchema = z.object({
  eventID: z.string().optional(),
  eventName: z.enum(['INSERT', 'MODIFY', 'REMOVE']),
  eventSource: z.string().optional(),
  eventSourceARN: z.string().optional(),
  dynamodb: z.object({
    Keys: AttributeMapSchema,
    NewImage: AttributeMapSchema.optional(),
    OldImage: AttributeMapSchema.optional(),
    SequenceNumber: z.string().min(1),
    StreamViewType: z.string().optional(),
  }),
});

/** The batch envelope; records are parsed one by one so one bad record does not fail the rest. */
export const StreamEventSchema = z.object({ Records: z.array(z.unknown()) });

/** What one record means for the index: a change to an item, or nothing. */
export type ParsedRecord =
  | { readonly kind: 'change'; readonly sequenceNumber: string; readonly change: ItemChange }
  | { readonly kind: 'skip'; readonly sequenceNumber: string; readonly reason: string };

function isItemImage(image: Record<string, unknown> | undefined): boolean {
  return image !== undefined && isItemRecord(image);
}

function itemOf(image: Record<string, unknown>, path: readonly (string | number)[]) {
  const rest: Record<string, unknown> = { ...image };
  for (const name of keyAttributes) delete rest[name];
  return parseInput(ItemSchema, rest, path);
}

/**
 * Turns a stream image in AttributeValue JSON into plain values; the handler passes
 * `@aws-sdk/util-dynamodb`'s `unmarshall`.
 */
export type Unmarshall = (image: Record<string, Record<string, unknown>>) => Record<string, unknown>;

function unmarshallImage(
  unmarshall: Unmarshall,
  image: Record<string, Record<string, unknown>>,
  path: readonly (string | number)[],
): Record<string, unknown> {
  try {
    return unmarshall(image);
  } catch (error) {
    throw new InvalidInputError(
      [{ path, message: `not a DynamoDB image: ${error instanceof Error ? error.message : String(error)}` }],
      {
        cause: error,
      },
    );
  }
}

function missing(path: readonly (string | number)[], eventName: string): never {
  throw new InvalidInputError([
    { path, message: `${eventName} record of an item has no image here; expected NEW_AND_OLD_IMAGES` },
  ]);
}

/**
 * Parses record `i` of a stream batch. Throws `InvalidInputError` with the path
 * `['Records', i, 'dynamodb', 'NewImage', ...]` for a record that cannot be read (a poison pill).
 */
export function parseStreamRecord(raw: unknown, i: number, unmarshall: Unmarshall): ParsedRecord {
  const record = parseInput(StreamRecordSchema, raw, ['Records', i]);
  const { NewImage, OldImage, SequenceNumber } = record.dynamodb;
  const base = ['Records', i, 'dynamodb'];
  const newImage = NewImage ? unmarshallImage(unmarshall, NewImage, [...base, 'NewImage']) : undefined;
  const oldImage = OldImage ? unmarshallImage(unmarshall, OldImage, [...base, 'OldImage']) : undefined;
  if (!isItemImage(newImage) && !isItemImage(oldImage)) {
    return { kind: 'skip', sequenceNumber: SequenceNumber, reason: 'not an item record' };
  }
  if (record.eventName === 'REMOVE') {
    if (!oldImage) return missing([...base, 'OldImage'], record.eventName);
    const oldItem = itemOf(oldImage, [...base, 'OldImage']);
    return { kind: 'change', sequenceNumber: SequenceNumber, change: { id: oldItem.id, oldItem } };
  }
  if (!newImage) return missing([...base, 'NewImage'], record.eventName);
  const newItem = itemOf(newImage, [...base, 'NewImage']);
  const oldItem = oldImage && isItemImage(oldImage) ? itemOf(oldImage, [...base, 'OldImage']) : undefined;
  return { kind: 'change', sequenceNumber: SequenceNumber, change: { id: newItem.id, newItem, oldItem } };
}
