import type { Kysely } from 'kysely'
import { zero } from '../bytes/index.js'
import { hkdf, hmac } from '../crypto/index.js'
import { toBase64, type EncryptionContext } from '../encoding/index.js'
import { fieldBinding } from './field-binding.js'
import { encodeFieldValue, type FieldValue } from './field-value.js'
import type { RecordKeyring } from './record-keyring.js'

export const INDEX_KEYS_TABLE = 'sealbox_index_keys'
export const BLIND_INDEX_BYTES = 16
const KEY_LABEL = 'sealbox/records/blind-index/v1'
const EMPTY = new Uint8Array(0)

/* eslint-disable @typescript-eslint/no-explicit-any -- tables are named at run time */
type AnyDb = Kysely<any>

export async function ensureIndexKeysTable(db: AnyDb): Promise<void> {
  await db.schema
    .createTable(INDEX_KEYS_TABLE)
    .ifNotExists()
    .addColumn('name', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('encrypted_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute()
}

/**
 * Equality search over encrypted fields: HMAC-SHA256 of the typed value, truncated to 16 bytes,
 * under a per-field key derived from the table's index key. The index key is a KMS-wrapped data
 * key of its own (never a record's key), stored in `sealbox_index_keys`, so every record of a
 * table hashes a value alike and a search needs no record key.
 */
export class BlindIndexer {
  private readonly fieldKeys = new Map<string, Uint8Array>()

  private constructor(
    private readonly table: string,
    private indexKey: Uint8Array,
  ) {}

  static async open(db: AnyDb, keyring: RecordKeyring, table: string): Promise<BlindIndexer> {
    await ensureIndexKeysTable(db)
    const context: EncryptionContext = { 'sealbox:blind-index': table }
    const where = `the blind index key of ${table}`
    let stored = await readStored(db, table)
    if (stored === undefined) {
      const created = await keyring.create(context)
      await db
        .insertInto(INDEX_KEYS_TABLE)
        .values({
          name: table,
          encrypted_key: created.stored,
          created_at: new Date().toISOString(),
        })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute()
      stored = await readStored(db, table)
      if (stored === created.stored) return new BlindIndexer(table, created.dataKey)
      zero(created.dataKey)
    }
    return new BlindIndexer(table, await keyring.open({ stored: stored!, context, where }))
  }

  /** The index value of `value` in `field` (base64 text). */
  compute(field: string, value: FieldValue): string {
    let key = this.fieldKeys.get(field)
    if (!key) {
      key = hkdf('sha256', this.indexKey, EMPTY, fieldBinding(KEY_LABEL, this.table, '', field), 32)
      this.fieldKeys.set(field, key)
    }
    const plaintext = encodeFieldValue(value)
    try {
      return toBase64(hmac('sha256', key, plaintext).subarray(0, BLIND_INDEX_BYTES))
    } finally {
      zero(plaintext)
    }
  }

  dispose(): void {
    for (const k of this.fieldKeys.values()) zero(k)
    this.fieldKeys.clear()
    zero(this.indexKey)
    this.indexKey = EMPTY
  }
}

async function readStored(db: AnyDb, table: string): Promise<string | undefined> {
  const row = (await db
    .selectFrom(INDEX_KEYS_TABLE)
    .select('encrypted_key')
    .where('name', '=', table)
    .executeTakeFirst()) as { encrypted_key: string } | undefined
  return row?.encrypted_key
}
