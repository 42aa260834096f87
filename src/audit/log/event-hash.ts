import { sha256Hex } from '../../crypto/index.js'
import { serializeEncryptionContext } from '../../encoding/index.js'
import type { AuditEventInput } from '../types/index.js'

export const GENESIS_HASH = '0'.repeat(64)

/**
 * SHA-256 over the previous hash, the event's sequence number and every field, each
 * length-prefixed, so no two different events (or orders of events) share a hash.
 *
 * Layout: a text field is `0x00` when absent, else `0x01 | u32 byte length | UTF-8`; the
 * sequence number and the time in ms are u64 big-endian after the previous hash; the
 * encryption context is its canonical encoding, framed like a text field. Logs already
 * written verify against this layout, so it never changes. A field added later (the
 * destination key) is framed after the others only when present: events without it hash as
 * they did before it existed.
 */
export function eventHash(prevHash: string, seq: number, e: AuditEventInput): string {
  const context =
    e.encryptionContext === undefined ? undefined : serializeEncryptionContext(e.encryptionContext)
  const before = [prevHash] as const
  const after = [e.principal, e.operation, e.keyArn] as const
  const tail = [e.keyMaterialId, e.outcome, e.requestId, e.sourceIp] as const
  const added = e.destinationKeyArn === undefined ? [] : [e.destinationKeyArn]
  let size = 16 + (context === undefined ? 1 : 5 + context.length)
  for (const f of [...before, ...after, ...tail, ...added])
    size += f === undefined ? 1 : 5 + Buffer.byteLength(f)
  // Written in place: one buffer and one hash per event (this runs once per KMS request).
  const buf = Buffer.allocUnsafe(size)
  let pos = 0
  const text = (value: string | undefined): void => {
    if (value === undefined) {
      buf[pos++] = 0
      return
    }
    buf[pos++] = 1
    const n = buf.write(value, pos + 4, 'utf8')
    buf.writeUInt32BE(n, pos)
    pos += 4 + n
  }
  text(prevHash)
  pos = buf.writeBigUInt64BE(BigInt(seq), pos)
  pos = buf.writeBigUInt64BE(BigInt(e.time.getTime()), pos)
  after.forEach(text)
  if (context === undefined) buf[pos++] = 0
  else {
    buf[pos++] = 1
    pos = buf.writeUInt32BE(context.length, pos)
    buf.set(context, pos)
    pos += context.length
  }
  tail.forEach(text)
  added.forEach(text)
  return sha256Hex(buf.subarray(0, pos))
}
