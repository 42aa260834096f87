import type Database from 'better-sqlite3'
import type { KeyState, Origin, ExpirationModel } from '../types/index.js'
import type { ReadCache } from './read-cache.js'

export interface KeyRow {
  key_id: string
  created_ms: number
  description: string
  state: KeyState
  origin: Origin
  policy: string
  deletion_ms: number | null
  pending_days: number | null
  rotation_period_days: number | null
  next_rotation_ms: number | null
  on_demand_rotations: number
  valid_to_ms: number | null
  expiration_model: ExpirationModel | null
  current_version: number
  imported_material_id: string | null
}

export interface VersionRow {
  key_id: string
  version: number
  material: string
  material_id: string
  created_ms: number
  rotation_type: 'AUTOMATIC' | 'ON_DEMAND' | null
}

export interface AliasRow {
  alias_name: string
  key_id: string
  created_ms: number
  updated_ms: number
}

/** The SQL of the embedded KMS, one prepared statement each. Callers hold the transaction. */
export class KeyRepository {
  private readonly s: Record<string, Database.Statement>

  /** `reads` serves the lookups made on every request (key, version, alias) while unchanged. */
  constructor(
    db: Database.Database,
    private readonly reads: ReadCache,
  ) {
    const p = (sql: string) => db.prepare(sql)
    this.s = {
      key: p(`SELECT * FROM kms_keys WHERE key_id = ?`),
      keys: p(`SELECT key_id FROM kms_keys WHERE key_id > ? ORDER BY key_id LIMIT ?`),
      insertKey: p(
        `INSERT INTO kms_keys (key_id, created_ms, description, state, origin, policy, current_version) VALUES (@key_id, @created_ms, @description, @state, @origin, @policy, @current_version)`,
      ),
      deleteKey: p(`DELETE FROM kms_keys WHERE key_id = ?`),
      expired: p(
        `SELECT key_id FROM kms_keys WHERE state = 'PendingDeletion' AND deletion_ms <= ?`,
      ),
      version: p(`SELECT * FROM kms_key_versions WHERE key_id = ? AND version = ?`),
      versions: p(`SELECT * FROM kms_key_versions WHERE key_id = ? ORDER BY version`),
      insertVersion: p(
        `INSERT INTO kms_key_versions (key_id, version, material, material_id, created_ms, rotation_type) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      deleteVersions: p(`DELETE FROM kms_key_versions WHERE key_id = ?`),
      alias: p(`SELECT * FROM kms_aliases WHERE alias_name = ?`),
      aliases: p(`SELECT * FROM kms_aliases WHERE alias_name > ? ORDER BY alias_name LIMIT ?`),
      aliasesOfKey: p(
        `SELECT * FROM kms_aliases WHERE key_id = ? AND alias_name > ? ORDER BY alias_name LIMIT ?`,
      ),
      insertAlias: p(
        `INSERT INTO kms_aliases (alias_name, key_id, created_ms, updated_ms) VALUES (?, ?, ?, ?)`,
      ),
      updateAlias: p(`UPDATE kms_aliases SET key_id = ?, updated_ms = ? WHERE alias_name = ?`),
      deleteAlias: p(`DELETE FROM kms_aliases WHERE alias_name = ?`),
      tags: p(
        `SELECT tag_key, tag_value FROM kms_tags WHERE key_id = ? AND tag_key > ? ORDER BY tag_key LIMIT ?`,
      ),
      tagCount: p(`SELECT COUNT(*) AS n FROM kms_tags WHERE key_id = ?`),
      putTag: p(`INSERT OR REPLACE INTO kms_tags (key_id, tag_key, tag_value) VALUES (?, ?, ?)`),
      deleteTag: p(`DELETE FROM kms_tags WHERE key_id = ? AND tag_key = ?`),
      insertToken: p(
        `INSERT INTO kms_import_tokens (token_id, key_id, algorithm, private_key, expires_ms) VALUES (?, ?, ?, ?, ?)`,
      ),
      token: p(`SELECT * FROM kms_import_tokens WHERE token_id = ?`),
    }
  }

  key(keyId: string): KeyRow | undefined {
    return this.reads.get(`key\0${keyId}`, () => this.s['key']!.get(keyId) as KeyRow | undefined)
  }

  keyIdsAfter(marker: string, limit: number): string[] {
    return (this.s['keys']!.all(marker, limit) as Array<{ key_id: string }>).map((r) => r.key_id)
  }

  insertKey(
    row: Pick<
      KeyRow,
      'key_id' | 'created_ms' | 'description' | 'state' | 'origin' | 'policy' | 'current_version'
    >,
  ): void {
    this.s['insertKey']!.run(row)
  }

  /** Updates the named columns of one key. Column names come from code, never from input. */
  update(keyId: string, fields: Partial<Omit<KeyRow, 'key_id'>>): void {
    const names = Object.keys(fields)
    if (names.length === 0) return
    this.db()
      .prepare(
        `UPDATE kms_keys SET ${names.map((n) => `${n} = @${n}`).join(', ')} WHERE key_id = @key_id`,
      )
      .run({ ...fields, key_id: keyId })
  }

  deleteKey(keyId: string): void {
    this.s['deleteKey']!.run(keyId)
  }

  expiredDeletions(nowMs: number): string[] {
    return (this.s['expired']!.all(nowMs) as Array<{ key_id: string }>).map((r) => r.key_id)
  }

  version(keyId: string, version: number): VersionRow | undefined {
    return this.reads.get(
      `version\0${keyId}\0${version}`,
      () => this.s['version']!.get(keyId, version) as VersionRow | undefined,
    )
  }

  versions(keyId: string): VersionRow[] {
    return this.s['versions']!.all(keyId) as VersionRow[]
  }

  insertVersion(row: VersionRow): void {
    this.s['insertVersion']!.run(
      row.key_id,
      row.version,
      row.material,
      row.material_id,
      row.created_ms,
      row.rotation_type,
    )
  }

  deleteVersions(keyId: string): void {
    this.s['deleteVersions']!.run(keyId)
  }

  alias(name: string): AliasRow | undefined {
    return this.reads.get(
      `alias\0${name}`,
      () => this.s['alias']!.get(name) as AliasRow | undefined,
    )
  }

  aliases(after: string, limit: number, keyId?: string): AliasRow[] {
    return (
      keyId === undefined
        ? this.s['aliases']!.all(after, limit)
        : this.s['aliasesOfKey']!.all(keyId, after, limit)
    ) as AliasRow[]
  }

  insertAlias(name: string, keyId: string, nowMs: number): void {
    this.s['insertAlias']!.run(name, keyId, nowMs, nowMs)
  }

  retargetAlias(name: string, keyId: string, nowMs: number): void {
    this.s['updateAlias']!.run(keyId, nowMs, name)
  }

  deleteAlias(name: string): void {
    this.s['deleteAlias']!.run(name)
  }

  tags(keyId: string, after: string, limit: number): Array<{ tag_key: string; tag_value: string }> {
    return this.s['tags']!.all(keyId, after, limit) as Array<{ tag_key: string; tag_value: string }>
  }

  tagCount(keyId: string): number {
    return (this.s['tagCount']!.get(keyId) as { n: number }).n
  }

  putTag(keyId: string, key: string, value: string): void {
    this.s['putTag']!.run(keyId, key, value)
  }

  deleteTag(keyId: string, key: string): void {
    this.s['deleteTag']!.run(keyId, key)
  }

  insertImportToken(
    tokenId: string,
    keyId: string,
    algorithm: string,
    sealedPrivateKey: string,
    expiresMs: number,
  ): void {
    this.s['insertToken']!.run(tokenId, keyId, algorithm, sealedPrivateKey, expiresMs)
  }

  importToken(tokenId: string):
    | {
        token_id: string
        key_id: string
        algorithm: string
        private_key: string
        expires_ms: number
      }
    | undefined {
    return this.s['token']!.get(tokenId) as ReturnType<KeyRepository['importToken']>
  }

  private db(): Database.Database {
    return this.s['key']!.database
  }
}
