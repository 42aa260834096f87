export {
  encryptedTable,
  EncryptedTable,
  type EncryptedTableOptions,
  type AnySelect,
} from './encrypted-table.js'
export type { RecordTableSpec, BlindIndexSpec, Row } from './record-table.js'
export type { FieldValue } from './field-value.js'
export { encryptField, decryptField, RecordFieldKeys, type FieldLocation } from './sealed-field.js'
export {
  encodeWrappedKeys,
  decodeWrappedKeys,
  WRAPPED_KEYS_PREFIX,
  type WrappedKey,
} from './wrapped-keys.js'
export { RecordKeyLru, type RecordKeyLruOptions } from './record-key-lru.js'
export { RecordKeyring } from './record-keyring.js'
export { INDEX_KEYS_TABLE } from './blind-indexer.js'
export {
  rotateRecordKeys,
  type RotateRecordKeysOptions,
  type RecordJobProgress,
  type RecordJobResult,
} from './rotate-record-keys.js'
export {
  migratePlaintextColumn,
  type MigratePlaintextColumnOptions,
} from './migrate-plaintext-column.js'
export { JOBS_TABLE } from './job-store.js'
