import { SealboxError } from '../errors/index.js'

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64')
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** Strict standard base64 with padding (Node's decoder silently skips bad characters). */
export function fromBase64(text: string, field = 'value'): Uint8Array {
  if (!BASE64.test(text))
    throw new SealboxError('SerializationException', `${field} is not valid base64`)
  const b = Buffer.from(text, 'base64')
  return new Uint8Array(b.buffer, b.byteOffset, b.length)
}
