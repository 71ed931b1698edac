import type { Clock } from '../../shared/clock.js';
import { ItemIdSchema, type Item } from '../../shared/domain/item.js';
import { statusAt } from '../../shared/domain/status.js';
import { NotFoundError } from '../../shared/errors.js';
import { parseInput } from '../../shared/parse-input.js';
import type { ItemStore } from '../../shared/store/item-store.js';
import type { ItemDetail } from './schemas.js';

/** GET /v1/items/{id}: the full record with provenance and change history. */
export async function getItem(deps: { store: ItemStore; clock: Clock }, rawId: unknown): Promise<ItemDetail> {
  const id = parseInput(ItemIdSchema, rawId, ['id']);
  const item = await deps.store.get(id);
  if (!item) throw new NotFoundError(`no item with id ${id}`);
  return toItemDetail(item, deps.clock.now());
}

function toItemDetail(item: Item, now: Date): ItemDetail {
  const { contentHash: _hash, id, ...rest } = item;
  return { id, ...rest, status: statusAt(item, now) };
}
