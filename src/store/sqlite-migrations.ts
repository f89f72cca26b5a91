// Forward-only SQLite migrations for every Durable Object (writer, credentials, audience): each step
// runs once, in its own transaction, and the step count is kept in a one-row schema_version table.

/**
 * One step of a schema. Never edit one that has shipped: Durable Objects in production ran it as it
 * was. Change a schema by adding a step at the end; a step must not call code that may change later.
 */
export interface Migration {
  name: string;
  up: (sql: SqlStorage) => void;
}

// SQLite's PRAGMA user_version is refused in a Durable Object (SQLITE_AUTH, tried under Miniflare),
// so the version lives in a one-row table of its own; storage without it is at version 0.
const VERSION_TABLE = 'CREATE TABLE IF NOT EXISTS schema_version (one INTEGER PRIMARY KEY CHECK (one = 1), version INTEGER NOT NULL)';

/** The schema version a Durable Object's storage is at (0: never migrated). */
export function schemaVersion(sql: SqlStorage): number {
  sql.exec(VERSION_TABLE);
  return sql.exec<{ version: number }>('SELECT version FROM schema_version').toArray()[0]?.version ?? 0;
}

/**
 * Brings `storage` up to the last of `steps`, each in its own transaction with the version it
 * reaches, so a crash between two leaves a consistent schema that the next start carries on from.
 * Storage written by newer code is refused rather than written in a shape this code does not know.
 */
export function runMigrations(storage: DurableObjectStorage, steps: readonly Migration[], owner: string): { from: number; to: number } {
  const from = schemaVersion(storage.sql);
  if (from > steps.length) throw new Error(`${owner} storage is at schema ${from}; this code knows ${steps.length}`);
  for (let n = from; n < steps.length; n++) {
    storage.transactionSync(() => {
      (steps[n] as Migration).up(storage.sql);
      storage.sql.exec('INSERT OR REPLACE INTO schema_version (one, version) VALUES (1, ?)', n + 1);
    });
  }
  return { from, to: steps.length };
}
