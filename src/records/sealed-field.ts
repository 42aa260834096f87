import { zero } from '../bytes/index.js'
import {
  aesGcmDecrypt,
  aesGcmEncrypt,
  GCM_IV_BYTES,
  GCM_TAG_BYTES,
  hkdf,
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
export function encryptField(dataKey: Uint8Array, at: FieldLocation, value: FieldValue): string {
  const key = fieldKey(dataKey, at)
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

export function decryptField(dataKey: Uint8Array, at: FieldLocation, stored: string): FieldValue {
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
  const key = fieldKey(dataKey, at)
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

function fieldKey(dataKey: Uint8Array, at: FieldLocation): Uint8Array {
  return hkdf('sha256', dataKey, EMPTY, fieldBinding(KEY_LABEL, at.table, at.id, at.field), 32)
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
