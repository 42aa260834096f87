import { zero } from '../bytes/index.js'
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  GCM_IV_BYTES,
  GCM_TAG_BYTES,
  hkdfExpand,
  hkdfExtract,
  randomBytes,
} from '../crypto/index.js'
import { fromBase64, toBase64 } from '../encoding/index.js'
import { SealboxError } from '../errors/index.js'
import { fieldBinding } from './field-binding.js'
import { decodeFieldValue, encodeFieldValue, type FieldValue } from './field-value.js'

export const FIELD_FORMAT_VERSION = 1
const KEY_LABEL = 'sealbox/records/field-key/v1'
const AAD_LABEL = 'sealbox/records/field/v1'
const EMPTY = new Uint8Array(0)

export interface FieldLocation {
  table: string
  id: string
  field: string
}

/**
 * Field ciphertext, stored as base64 text: version (1) | nonce (12) | ciphertext | tag (16).
 * The key is HKDF-SHA256(record data key, info = table, id, field) and the AAD binds the same
 * triple, so a ciphertext moved to another field, record or table fails authentication.
 */
export function encryptField(
  keys: Uint8Array | RecordFieldKeys,
  at: FieldLocation,
  value: FieldValue,
): string {
  if (keys instanceof Uint8Array) return withKeys(keys, (k) => encryptField(k, at, value))
  const key = keys.fieldKey(at)
  const plaintext = encodeFieldValue(value)
  try {
    const nonce = randomBytes(GCM_IV_BYTES)
    const aad = fieldBinding(AAD_LABEL, at.table, at.id, at.field)
    const { ciphertext, tag } = aesGcmEncrypt(key, nonce, plaintext, aad)
    const out = new Uint8Array(1 + GCM_IV_BYTES + ciphertext.length + GCM_TAG_BYTES)
    out[0] = FIELD_FORMAT_VERSION
    out.set(nonce, 1)
    out.set(ciphertext, 1 + GCM_IV_BYTES)
    out.set(tag, 1 + GCM_IV_BYTES + ciphertext.length)
    return toBase64(out)
  } finally {
    zero(key)
    zero(plaintext)
  }
}

export function decryptField(
  keys: Uint8Array | RecordFieldKeys,
  at: FieldLocation,
  stored: string,
): FieldValue {
  if (keys instanceof Uint8Array) return withKeys(keys, (k) => decryptField(k, at, stored))
  let bytes: Uint8Array
  try {
    bytes = fromBase64(stored, `${at.table}.${at.field}`)
  } catch {
    throw tampered(at, 'is not base64')
  }
  if (bytes.length < 1 + GCM_IV_BYTES + GCM_TAG_BYTES) throw tampered(at, 'is too short')
  if (bytes[0] !== FIELD_FORMAT_VERSION) throw tampered(at, `has unknown version ${bytes[0]}`)
  const nonce = bytes.subarray(1, 1 + GCM_IV_BYTES)
  const ciphertext = bytes.subarray(1 + GCM_IV_BYTES, bytes.length - GCM_TAG_BYTES)
  const tag = bytes.subarray(bytes.length - GCM_TAG_BYTES)
  const key = keys.fieldKey(at)
  let plaintext: Uint8Array = EMPTY
  try {
    const aad = fieldBinding(AAD_LABEL, at.table, at.id, at.field)
    plaintext = aesGcmDecrypt(key, nonce, ciphertext, tag, aad, 'RecordTampered', describe(at))
    return decodeFieldValue(plaintext)
  } finally {
    zero(key)
    zero(plaintext)
  }
}

/**
 * The field keys of one record: HKDF-SHA256 (empty salt) over the record's data key, extracted
 * once and expanded per field with info = (table, id, field), so a row costs one HMAC plus one
 * per field. `dispose()` zeroes the pseudo-random key.
 */
export class RecordFieldKeys {
  private prk: Uint8Array

  constructor(dataKey: Uint8Array) {
    this.prk = hkdfExtract('sha256', EMPTY, dataKey)
  }

  fieldKey(at: FieldLocation): Uint8Array {
    if (this.prk.length === 0)
      throw new SealboxError('InternalError', 'record field keys used after dispose')
    return hkdfExpand('sha256', this.prk, fieldBinding(KEY_LABEL, at.table, at.id, at.field), 32)
  }

  dispose(): void {
    zero(this.prk)
    this.prk = EMPTY
  }
}

function withKeys<T>(dataKey: Uint8Array, fn: (keys: RecordFieldKeys) => T): T {
  const keys = new RecordFieldKeys(dataKey)
  try {
    return fn(keys)
  } finally {
    keys.dispose()
  }
}

function describe(at: FieldLocation): string {
  return `field ${at.field} of ${at.table} record ${at.id} failed authentication: it was altered, or belongs to another record or field`
}

function tampered(at: FieldLocation, why: string): SealboxError {
  return new SealboxError(
    'RecordTampered',
    `field ${at.field} of ${at.table} record ${at.id} ${why}`,
  )
}
