import { ByteReader, ByteWriter, fromUtf8, utf8 } from '../bytes/index.js'
import { SealboxError } from '../errors/index.js'

/** A value an encrypted field can hold; `null` is never encrypted (it stays `null`). */
export type FieldValue =
  | string
  | number
  | boolean
  | bigint
  | Date
  | Uint8Array
  | { readonly [key: string]: unknown }
  | readonly unknown[]

const STRING = 1
const NUMBER = 2
const BOOLEAN = 3
const DATE = 4
const JSON_VALUE = 5
const BYTES = 6
const BIGINT = 7

/** The plaintext of a field: one type byte, then the value; decoding gives back the same type. */
export function encodeFieldValue(value: FieldValue): Uint8Array {
  const w = new ByteWriter(32)
  if (typeof value === 'string') return w.u8(STRING).bytes(utf8(value)).finish()
  if (typeof value === 'number') return w.u8(NUMBER).bytes(float64(value)).finish()
  if (typeof value === 'boolean')
    return w
      .u8(BOOLEAN)
      .u8(value ? 1 : 0)
      .finish()
  if (typeof value === 'bigint') return w.u8(BIGINT).bytes(utf8(value.toString())).finish()
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) {
      throw new SealboxError('ValidationException', 'an invalid Date cannot be encrypted')
    }
    return w.u8(DATE).bytes(float64(value.getTime())).finish()
  }
  if (value instanceof Uint8Array) return w.u8(BYTES).bytes(value).finish()
  if (typeof value === 'object') {
    return w
      .u8(JSON_VALUE)
      .bytes(utf8(JSON.stringify(value)))
      .finish()
  }
  throw new SealboxError(
    'ValidationException',
    `a field value of type ${typeof value} cannot be encrypted (string, number, boolean, bigint, Date, Buffer or JSON)`,
  )
}

export function decodeFieldValue(plaintext: Uint8Array): FieldValue {
  const r = new ByteReader(plaintext, 'field value', 'RecordTampered')
  const type = r.u8('type')
  const rest = r.take(r.remaining, 'value')
  switch (type) {
    case STRING:
      return fromUtf8(rest)
    case NUMBER:
      return readFloat64(rest)
    case BOOLEAN:
      if (rest.length !== 1 || rest[0]! > 1) break
      return rest[0] === 1
    case DATE:
      return new Date(readFloat64(rest))
    case JSON_VALUE:
      return JSON.parse(fromUtf8(rest)) as FieldValue
    case BYTES:
      return Buffer.from(rest)
    case BIGINT:
      return BigInt(fromUtf8(rest))
  }
  throw new SealboxError(
    'RecordTampered',
    `a field value has an unknown type ${type} or a bad length`,
  )
}

function float64(n: number): Uint8Array {
  const b = Buffer.alloc(8)
  b.writeDoubleBE(n)
  return b
}

function readFloat64(b: Uint8Array): number {
  if (b.length !== 8)
    throw new SealboxError('RecordTampered', 'a number field value is not 8 bytes')
  return Buffer.from(b.buffer, b.byteOffset, 8).readDoubleBE(0)
}
