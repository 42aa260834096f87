import type { Kysely, SelectQueryBuilder } from 'kysely'
import { zero } from '../bytes/index.js'
import { randomUUID } from '../crypto/index.js'
import { SealboxError } from '../errors/index.js'
import type { KmsPort } from '../kms/types/index.js'
import { BlindIndexer } from './blind-indexer.js'
import type { FieldValue } from './field-value.js'
import { mapLimit } from './map-limit.js'
import { RecordKeyLru, type RecordKeyLruOptions } from './record-key-lru.js'
import { RecordKeyring, type KeyRequest } from './record-keyring.js'
import {
  idText,
  resolveTable,
  type RecordTableSpec,
  type ResolvedTable,
  type Row,
} from './record-table.js'
import { decryptField, encryptField, RecordFieldKeys } from './sealed-field.js'

/* eslint-disable @typescript-eslint/no-explicit-any -- tables and columns are named at run time */
export type AnyDb = Kysely<any>
export type AnySelect = SelectQueryBuilder<any, any, any>

export interface EncryptedTableOptions {
  kms: KmsPort
  /** KMS keys each new record's data key is wrapped under (either one alone decrypts). */
  keyIds: readonly string[]
  /** Opt-in data-key cache: fewer KMS calls, but cached reads leave no audit event. */
  cache?: RecordKeyLru | RecordKeyLruOptions
  /** KMS calls in flight at most while a page is read (default 8). */
  concurrency?: number
}

/** Encrypted reads and writes of one table through Kysely. */
export function encryptedTable(
  db: AnyDb,
  spec: RecordTableSpec,
  opts: EncryptedTableOptions,
): EncryptedTable {
  return new EncryptedTable(db, spec, opts)
}

export class EncryptedTable {
  readonly spec: ResolvedTable
  readonly keyring: RecordKeyring
  private indexer: Promise<BlindIndexer> | undefined

  constructor(
    readonly db: AnyDb,
    spec: RecordTableSpec,
    opts: EncryptedTableOptions,
  ) {
    this.spec = resolveTable(spec)
    const cache =
      opts.cache === undefined || opts.cache instanceof RecordKeyLru
        ? opts.cache
        : new RecordKeyLru(opts.cache)
    this.keyring = new RecordKeyring({
      kms: opts.kms,
      keyIds: opts.keyIds,
      cache,
      concurrency: opts.concurrency ?? 8,
    })
  }

  /** The row to store for a new record: id (made if absent), wrapped keys, ciphertexts, blind indexes. */
  async encryptRecord(record: Row): Promise<Row> {
    const s = this.spec
    const row: Row = { ...record }
    if (row[s.idColumn] === undefined || row[s.idColumn] === null)
      row[s.idColumn] = s.newId ? s.newId() : randomUUID()
    if (row[s.keyColumn] !== undefined && row[s.keyColumn] !== null) {
      throw new SealboxError(
        'ValidationException',
        `a new ${s.model} record must not carry ${s.keyColumn}`,
      )
    }
    const { dataKey, stored } = await this.keyring.create(s.contextOf(row))
    try {
      row[s.keyColumn] = stored
      await this.sealFields(row, row, dataKey)
      return row
    } finally {
      zero(dataKey)
    }
  }

  /** Inserts one record; returns it in plaintext with its id. */
  async insert(record: Row): Promise<Row> {
    const [out] = await this.insertMany([record])
    return out!
  }

  /** Inserts records in one statement; data keys are made with bounded concurrency. */
  async insertMany(records: readonly Row[]): Promise<Row[]> {
    if (records.length === 0) return []
    const rows = await mapLimit(records, this.keyring.concurrency, (r) => this.encryptRecord(r))
    // one column list for every row (SQLite has no DEFAULT inside a multi-row VALUES)
    const columns = new Set(rows.flatMap((r) => Object.keys(r)))
    for (const r of rows) for (const c of columns) if (!(c in r)) r[c] = null
    await this.db.insertInto(this.spec.table).values(rows).execute()
    return rows.map((row, i) => ({ ...records[i], [this.spec.idColumn]: row[this.spec.idColumn] }))
  }

  /** Updates a record; encrypted fields among `changes` are sealed under the record's key. */
  async update(id: string | number, changes: Row): Promise<void> {
    const s = this.spec
    if (s.idColumn in changes || s.keyColumn in changes) {
      throw new SealboxError(
        'ValidationException',
        `an update cannot change ${s.idColumn} or ${s.keyColumn}`,
      )
    }
    const set: Row = { ...changes }
    if (s.fields.some((f) => f in changes)) {
      const row = (await this.selectRaw((qb) => qb.where(s.idColumn, '=', id)))[0]
      if (!row) throw new SealboxError('RecordNotFound', `no ${s.model} record ${idText(id)}`)
      const dataKey = await this.keyOf(row, set)
      try {
        await this.sealFields(set, { ...changes, [s.idColumn]: row[s.idColumn] }, dataKey)
      } finally {
        zero(dataKey)
      }
    }
    const r = await this.db
      .updateTable(s.table)
      .set(set)
      .where(s.idColumn, '=', id)
      .executeTakeFirst()
    if (r.numUpdatedRows === 0n)
      throw new SealboxError('RecordNotFound', `no ${s.model} record ${idText(id)}`)
  }

  /**
   * The data key of a stored row: unwrapped, or made now (and its column added to `set`) when the
   * row has none and no encrypted value yet (a record migrated from plaintext, say).
   */
  async keyOf(row: Row, set: Row): Promise<Uint8Array> {
    const s = this.spec
    const stored = row[s.keyColumn]
    const context = s.contextOf(row)
    if (typeof stored === 'string') {
      return this.keyring.open({ stored, context, where: `${s.model} ${idText(row[s.idColumn])}` })
    }
    this.assertNotShredded(row)
    const created = await this.keyring.create(context)
    set[s.keyColumn] = created.stored
    return created.dataKey
  }

  async findById(id: string | number): Promise<Row | undefined> {
    const rows = await this.find((qb) => qb.where(this.spec.idColumn, '=', id))
    return rows[0]
  }

  /** `select *` narrowed by `modify` (where, order, limit), decrypted. */
  async find(modify: (qb: AnySelect) => AnySelect = (qb) => qb): Promise<Row[]> {
    return this.decryptRows(await this.selectRaw(modify))
  }

  /** Records whose `field` equals `value`, found through its blind index. */
  async whereBlind(
    field: string,
    value: FieldValue,
    modify: (qb: AnySelect) => AnySelect = (qb) => qb,
  ): Promise<Row[]> {
    const column = this.blindColumn(field)
    const index = await this.blindIndex(field, value)
    return this.find((qb) => modify(qb.where(column, '=', index)))
  }

  /** The blind index value of `value` in `field`, for queries written by hand. */
  async blindIndex(field: string, value: FieldValue): Promise<string> {
    const b = this.blindSpec(field)
    return (await this.indexerOnce()).compute(field, b.normalize(value))
  }

  blindColumn(field: string): string {
    return this.blindSpec(field).column
  }

  /**
   * Decrypts rows read by any query (they must include the id, key and encrypted columns): one
   * KMS call per distinct record key, deduplicated, bounded concurrency. The key and blind
   * index columns are left out of the result.
   */
  async decryptRows(rows: readonly Row[]): Promise<Row[]> {
    const s = this.spec
    const reqs: (KeyRequest | undefined)[] = rows.map((row) => {
      const stored = row[s.keyColumn]
      if (stored === null || stored === undefined) {
        this.assertNotShredded(row)
        return undefined
      }
      if (typeof stored !== 'string')
        throw new SealboxError('RecordTampered', `the ${s.keyColumn} column is not text`)
      return { stored, context: s.contextOf(row), where: `${s.model} ${idText(row[s.idColumn])}` }
    })
    const opened = await this.keyring.openMany(reqs.filter((r): r is KeyRequest => r !== undefined))
    try {
      return rows.map((row, i) => {
        const out: Row = { ...row }
        delete out[s.keyColumn]
        for (const b of s.blindIndexes.values()) delete out[b.column]
        const req = reqs[i]
        if (!req) return out
        const keys = new RecordFieldKeys(opened.get(req.stored, req.context))
        try {
          const id = idText(row[s.idColumn])
          for (const field of s.fields) {
            const v = row[field]
            if (v === null || v === undefined) continue
            if (typeof v !== 'string') {
              throw new SealboxError(
                'RecordTampered',
                `field ${field} of ${s.model} ${id} is not text`,
              )
            }
            out[field] = decryptField(keys, { table: s.table, id, field }, v)
          }
        } finally {
          keys.dispose()
        }
        return out
      })
    } finally {
      opened.release()
    }
  }

  /** Crypto-shredding: forgets the record's data key; its encrypted fields can never be read again. */
  async shred(id: string | number): Promise<void> {
    const s = this.spec
    // the blind indexes go too: left behind they would still tell which records shared a value
    const set: Row = { [s.keyColumn]: null }
    for (const b of s.blindIndexes.values()) set[b.column] = null
    const r = await this.db
      .updateTable(s.table)
      .set(set)
      .where(s.idColumn, '=', id)
      .executeTakeFirst()
    if (r.numUpdatedRows === 0n) {
      throw new SealboxError('RecordNotFound', `no ${s.model} record ${idText(id)}`)
    }
  }

  /** Zeroes the blind index key and the cached data keys. */
  async dispose(): Promise<void> {
    const indexer = this.indexer
    this.indexer = undefined
    this.keyring.cache?.clear()
    if (indexer) (await indexer.catch(() => undefined))?.dispose()
  }

  /** Seals every encrypted field present in `source` into `target`, with its blind index. */
  async sealFields(target: Row, source: Row, dataKey: Uint8Array): Promise<void> {
    const s = this.spec
    const id = idText(source[s.idColumn] ?? target[s.idColumn])
    const keys = new RecordFieldKeys(dataKey)
    try {
      for (const field of s.fields) {
        if (!(field in source)) continue
        const v = source[field]
        const b = s.blindIndexes.get(field)
        if (v === null || v === undefined) {
          target[field] = null
          if (b) target[b.column] = null
          continue
        }
        target[field] = encryptField(keys, { table: s.table, id, field }, v as FieldValue)
        if (b)
          target[b.column] = (await this.indexerOnce()).compute(field, b.normalize(v as FieldValue))
      }
    } finally {
      keys.dispose()
    }
  }

  private assertNotShredded(row: Row): void {
    const s = this.spec
    for (const f of s.fields) {
      if (row[f] !== null && row[f] !== undefined) {
        throw new SealboxError(
          'RecordShredded',
          `${s.model} record ${idText(row[s.idColumn])} has no data key: its encrypted fields are unrecoverable (shredded)`,
        )
      }
    }
  }

  private blindSpec(field: string): { column: string; normalize: (v: FieldValue) => FieldValue } {
    const b = this.spec.blindIndexes.get(field)
    if (!b)
      throw new SealboxError(
        'ValidationException',
        `field ${field} of ${this.spec.table} has no blind index`,
      )
    return b
  }

  private selectRaw(modify: (qb: AnySelect) => AnySelect): Promise<Row[]> {
    return modify(this.db.selectFrom(this.spec.table).selectAll()).execute() as Promise<Row[]>
  }

  private indexerOnce(): Promise<BlindIndexer> {
    if (!this.indexer) {
      const p = BlindIndexer.open(this.db, this.keyring, this.spec.table)
      p.catch(() => {
        if (this.indexer === p) this.indexer = undefined
      })
      this.indexer = p
    }
    return this.indexer
  }
}
