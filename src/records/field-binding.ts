import { ByteWriter, utf8 } from '../bytes/index.js'

/**
 * Where a field ciphertext belongs: table, record id and field name, each length-prefixed so
 * that no two (table, id, field) triples share an encoding ("ab","c" differs from "a","bc").
 */
export function fieldBinding(label: string, table: string, id: string, field: string): Uint8Array {
  return new ByteWriter(64)
    .bytes16(utf8(label))
    .bytes16(utf8(table))
    .bytes16(utf8(id))
    .bytes16(utf8(field))
    .finish()
}
