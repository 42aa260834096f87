import type Database from 'better-sqlite3'
import type { GrantConstraints, GrantOperation } from '../types/index.js'
import type { ReadCache } from './read-cache.js'

export interface GrantRow {
  grant_id: string
  key_id: string
  token: string
  name: string | null
  grantee: string
  retiring: string | null
  issuing_account: string
  /** JSON array of GrantOperation */
  operations: string
  /** JSON GrantConstraints, or null */
  constraints: string | null
  created_ms: number
}

/** A grant as the rules read it. */
export interface Grant {
  row: GrantRow
  operations: ReadonlySet<GrantOperation>
  constraints: GrantConstraints | undefined
}

export function toGrant(row: GrantRow): Grant {
  return {
    row,
    operations: new Set(JSON.parse(row.operations) as GrantOperation[]),
    constraints:
      row.constraints === null ? undefined : (JSON.parse(row.constraints) as GrantConstraints),
  }
}

/** The SQL of grants. Callers hold the transaction for changes. */
export class GrantRepository {
  private readonly s: Record<string, Database.Statement>

  constructor(
    db: Database.Database,
    private readonly reads: ReadCache,
  ) {
    const p = (sql: string) => db.prepare(sql)
    this.s = {
      insert: p(
        `INSERT INTO kms_grants (grant_id, key_id, token, name, grantee, retiring, issuing_account, operations, constraints, created_ms)
         VALUES (@grant_id, @key_id, @token, @name, @grantee, @retiring, @issuing_account, @operations, @constraints, @created_ms)`,
      ),
      byId: p(`SELECT * FROM kms_grants WHERE grant_id = ?`),
      byToken: p(`SELECT * FROM kms_grants WHERE token = ?`),
      named: p(`SELECT * FROM kms_grants WHERE key_id = ? AND name = ? ORDER BY grant_id`),
      ofGrantee: p(`SELECT * FROM kms_grants WHERE key_id = ? AND grantee = ? ORDER BY grant_id`),
      ofKey: p(
        `SELECT * FROM kms_grants WHERE key_id = ? AND grant_id > ? ORDER BY grant_id LIMIT ?`,
      ),
      ofKeyForGrantee: p(
        `SELECT * FROM kms_grants WHERE key_id = ? AND grantee = ? AND grant_id > ? ORDER BY grant_id LIMIT ?`,
      ),
      retirable: p(
        `SELECT * FROM kms_grants WHERE retiring = ? AND grant_id > ? ORDER BY grant_id LIMIT ?`,
      ),
      count: p(`SELECT COUNT(*) AS n FROM kms_grants WHERE key_id = ?`),
      remove: p(`DELETE FROM kms_grants WHERE grant_id = ?`),
    }
  }

  insert(row: GrantRow): void {
    this.s['insert']!.run(row)
  }

  byId(grantId: string): GrantRow | undefined {
    return this.s['byId']!.get(grantId) as GrantRow | undefined
  }

  byToken(token: string): GrantRow | undefined {
    return this.s['byToken']!.get(token) as GrantRow | undefined
  }

  named(keyId: string, name: string): GrantRow[] {
    return this.s['named']!.all(keyId, name) as GrantRow[]
  }

  /** The grants giving `grantee` something on a key: asked whenever the key policy alone refuses. */
  ofGrantee(keyId: string, grantee: string): readonly Grant[] {
    return this.reads.get(`grants\0${keyId}\0${grantee}`, () =>
      (this.s['ofGrantee']!.all(keyId, grantee) as GrantRow[]).map(toGrant),
    )
  }

  /** A page of a key's grants, of one grantee when given. */
  ofKey(keyId: string, after: string, limit: number, grantee?: string): GrantRow[] {
    return (
      grantee === undefined
        ? this.s['ofKey']!.all(keyId, after, limit)
        : this.s['ofKeyForGrantee']!.all(keyId, grantee, after, limit)
    ) as GrantRow[]
  }

  retirable(principal: string, after: string, limit: number): GrantRow[] {
    return this.s['retirable']!.all(principal, after, limit) as GrantRow[]
  }

  count(keyId: string): number {
    return (this.s['count']!.get(keyId) as { n: number }).n
  }

  remove(grantId: string): void {
    this.s['remove']!.run(grantId)
  }
}
