// The writer's stores over its SQLite, opened together, and the one context a pass carries.
import type { Site } from '../model/schema';
import { Books } from './books';
import { CountStore } from './count-store';
import { ItemIndex } from './item-index';
import { JobQueue } from './jobs';
import { Outbox } from './outbox';
import { PartnerStore } from './partner-store';
import { RelatedIndex } from './related';
import { ScopeIndex } from './scope-index';

/** Every store of the writer; the schema they read and write is db-schema.ts's. */
export interface Stores {
  items: ItemIndex;
  scopes: ScopeIndex;
  books: Books;
  queue: JobQueue;
  outbox: Outbox;
  partners: PartnerStore;
  counts: CountStore;
  related: RelatedIndex;
}

/** Opens the stores over `sql` (already migrated: nothing here creates a table). */
export function openStores(sql: SqlStorage): Stores {
  return {
    items: new ItemIndex(sql),
    scopes: new ScopeIndex(sql),
    books: new Books(sql),
    queue: new JobQueue(sql),
    outbox: new Outbox(sql),
    partners: new PartnerStore(sql),
    counts: new CountStore(sql),
    related: new RelatedIndex(sql),
  };
}

/** One pass of the writer: its stores, the site as configured, and the pass's clock. */
export interface Pass {
  stores: Stores;
  site: Site;
  now: number;
}
