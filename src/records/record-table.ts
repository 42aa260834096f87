import type { EncryptionContext } from '../encoding/index.js'
import { SealboxError } from '../errors/index.js'
import type { FieldValue } from './field-value.js'

/** A row as Kysely returns it: column name to value. */
export type Row = Record<string, unknown>

export interface BlindIndexSpec {
  /** The column holding the index (default `<field>_bidx`). */
  column?: string
  /** Applied before hashing, on write and on search (e.g. lower-case an email). */
  normalize?: (value: FieldValue) => FieldValue
}

/** How a table's records are encrypted. */
export interface RecordTableSpec {
  table: string
  /** The model name in the default encryption context `{ model, id }` (default: the table name). */
  model?: string
  /** Primary key column (default `id`). */
  idColumn?: string
  /** Column holding the record's wrapped data keys (default `encrypted_kms_key`). */
  keyColumn?: string
  /** Columns stored encrypted (text columns). */
  fields: readonly string[]
  /** Fields searchable by equality through a keyed blind index. */
  blindIndexes?: Readonly<Record<string, BlindIndexSpec>>
  /**
   * The KMS encryption context of a record (default `{ model, id }`). It must read only columns
   * that never change and are not encrypted: it is recomputed from the stored row on every read.
   */
  encryptionContext?: (record: Row) => EncryptionContext
  /** Makes an id for a record inserted without one (default: a random UUID string). */
  newId?: () => string | number
}

export interface ResolvedTable {
  table: string
  model: string
  idColumn: string
  keyColumn: string
  fields: readonly string[]
  blindIndexes: ReadonlyMap<string, { column: string; normalize: (v: FieldValue) => FieldValue }>
  contextOf: (record: Row) => EncryptionContext
  newId: (() => string | number) | undefined
}

/** `requireFields: false` serves tools that touch only keys (rotation), which need no field list. */
export function resolveTable(spec: RecordTableSpec, { requireFields = true } = {}): ResolvedTable {
  const model = spec.model ?? spec.table
  const idColumn = spec.idColumn ?? 'id'
  const keyColumn = spec.keyColumn ?? 'encrypted_kms_key'
  if (requireFields && spec.fields.length === 0) {
    throw new SealboxError(
      'ValidationException',
      `table ${spec.table} declares no encrypted fields`,
    )
  }
  for (const f of spec.fields) {
    if (f === idColumn || f === keyColumn) {
      throw new SealboxError(
        'ValidationException',
        `column ${f} cannot be both encrypted and a key or id column`,
      )
    }
  }
  const fieldSet = new Set(spec.fields)
  const blindIndexes = new Map<
    string,
    { column: string; normalize: (v: FieldValue) => FieldValue }
  >()
  for (const [field, b] of Object.entries(spec.blindIndexes ?? {})) {
    if (!fieldSet.has(field)) {
      throw new SealboxError(
        'ValidationException',
        `blind index on ${field}, which is not an encrypted field`,
      )
    }
    blindIndexes.set(field, {
      column: b.column ?? `${field}_bidx`,
      normalize: b.normalize ?? ((v) => v),
    })
  }
  const custom = spec.encryptionContext
  const contextOf = (record: Row): EncryptionContext => {
    if (custom) return custom(record)
    const id = record[idColumn]
    if (id === undefined || id === null) {
      throw new SealboxError(
        'ValidationException',
        `a ${model} record needs its ${idColumn} for its encryption context`,
      )
    }
    return { model, id: idText(id) }
  }
  return {
    table: spec.table,
    model,
    idColumn,
    keyColumn,
    fields: spec.fields,
    blindIndexes,
    contextOf,
    newId: spec.newId,
  }
}

/** Record ids are bound as text: 123, 123n and '123' are the same record. */
export function idText(id: unknown): string {
  if (typeof id === 'string') return id
  if (typeof id === 'number' || typeof id === 'bigint') return id.toString()
  throw new SealboxError(
    'ValidationException',
    `a record id must be a string or a number, not ${typeof id}`,
  )
}
