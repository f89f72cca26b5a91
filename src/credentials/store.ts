// The Credentials Durable Object: partner credentials in their own SQLite store, apart from the writer,
// so a partner's request never waits behind a publish. Holds salted hashes only, never a secret.
import { DurableObject } from 'cloudflare:workers';
import { hashSecret, newSalt, newSecret, sameHash, type Presented } from './secrets';
import type { CredentialInfo, CredentialType, IssuedCredential } from './types';
import { runMigrations, type Migration } from '../store/sqlite-migrations';

/**
 * Schema steps, applied in order once each. Durable Object SQLite refuses `PRAGMA user_version`
 * (SQLITE_AUTH), so the count of steps applied is kept in a one-row table instead; the lead may move
 * this onto the writer's shared migration helper once both are on one branch.
 */
const MIGRATIONS: readonly Migration[] = [
  {
    name: 'credentials',
    up: (sql) =>
      sql.exec(`CREATE TABLE credentials (id TEXT PRIMARY KEY, partner TEXT NOT NULL, type TEXT NOT NULL, username TEXT,
     salt BLOB NOT NULL, hash BLOB NOT NULL, created INTEGER NOT NULL, last_used INTEGER);
   CREATE INDEX credentials_by_partner ON credentials (partner, type);`),
  },
];

// last_used is a write; once a minute per credential is enough to tell a live one from a forgotten one.
const LAST_USED_GRAIN_MS = 60_000;

// Compared against when a partner has no credential of the presented type, so an unknown partner
// costs the same hashing as a known one with a wrong secret.
const DUMMY_SALT = new Uint8Array(16);
const DUMMY_HASH = new Uint8Array(32);

interface Row extends Record<string, SqlStorageValue> {
  id: string;
  type: string;
  username: string | null;
  salt: ArrayBuffer;
  hash: ArrayBuffer;
  created: number;
  last_used: number | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

function info(r: Pick<Row, 'id' | 'type' | 'username' | 'created' | 'last_used'>): CredentialInfo {
  return {
    id: r.id,
    type: r.type as CredentialType,
    ...(r.username ? { username: r.username } : {}),
    created: iso(r.created),
    ...(r.last_used ? { last_used: iso(r.last_used) } : {}),
  };
}

export class Credentials extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => void runMigrations(ctx.storage, MIGRATIONS, 'the credentials'));
  }

  /** Issues a credential of `type` for `partner`; the only answer that ever holds its secret. */
  async issue(partner: string, type: CredentialType): Promise<IssuedCredential> {
    const id = crypto.randomUUID();
    const secret = newSecret();
    const salt = newSalt();
    const hash = await hashSecret(salt, secret);
    const username = type === 'basic' ? `${partner}-${id.slice(0, 8)}` : null;
    const created = Date.now();
    this.sql.exec(
      'INSERT INTO credentials (id, partner, type, username, salt, hash, created) VALUES (?, ?, ?, ?, ?, ?, ?)',
      id,
      partner,
      type,
      username,
      salt,
      hash,
      created,
    );
    return { ...info({ id, type, username, created, last_used: null }), secret };
  }

  /** A partner's credentials, oldest first: ids, types, user names and times. */
  list(partner: string): CredentialInfo[] {
    return this.sql
      .exec<Row>('SELECT id, type, username, created, last_used FROM credentials WHERE partner = ? ORDER BY created, id', partner)
      .toArray()
      .map(info);
  }

  /** Revokes one credential of `partner`; false when it has none by that id. Effective on the next request. */
  revoke(partner: string, id: string): boolean {
    return this.sql.exec('DELETE FROM credentials WHERE partner = ? AND id = ?', partner, id).rowsWritten > 0;
  }

  /** Revokes every credential of `partner` (the partner is being deleted); how many there were. */
  revokeAll(partner: string): number {
    return this.sql.exec('DELETE FROM credentials WHERE partner = ?', partner).rowsWritten;
  }

  /**
   * Which presented credential is one of `partner`'s, of the type it was presented as: its id, or null
   * for none (the audience count names the credential behind each delivery). Every
   * candidate's hash is computed and compared in constant time; nothing is remembered between calls,
   * so a revocation holds from the next request on.
   */
  async verify(partner: string, presented: readonly Presented[]): Promise<string | null> {
    let match: string | undefined;
    for (const p of presented) {
      const rows = this.sql
        .exec<Row>(
          'SELECT id, salt, hash, last_used FROM credentials WHERE partner = ? AND type = ? AND (? IS NULL OR username = ?)',
          partner,
          p.type,
          p.username ?? null,
          p.username ?? null,
        )
        .toArray();
      if (rows.length === 0) sameHash(await hashSecret(DUMMY_SALT, p.secret), DUMMY_HASH);
      for (const r of rows) {
        if (sameHash(await hashSecret(new Uint8Array(r.salt), p.secret), new Uint8Array(r.hash)) && !match) {
          match = r.id;
          const now = Date.now();
          if (!r.last_used || now - r.last_used >= LAST_USED_GRAIN_MS)
            this.sql.exec('UPDATE credentials SET last_used = ? WHERE id = ?', now, r.id);
        }
      }
    }
    return match ?? null;
  }
}
