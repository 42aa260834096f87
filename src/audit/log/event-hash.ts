import { ByteWriter, utf8 } from '../../bytes/index.js'
import { sha256 } from '../../crypto/index.js'
import { serializeEncryptionContext } from '../../encoding/index.js'
import type { AuditEventInput } from '../types/index.js'

export const GENESIS_HASH = '0'.repeat(64)

/**
 * SHA-256 over the previous hash, the event's sequence number and every field, each
 * length-prefixed, so no two different events (or orders of events) share a hash.
 */
export function eventHash(prevHash: string, seq: number, e: AuditEventInput): string {
  const w = new ByteWriter(512)
  const field = (value: string | undefined) => {
    if (value === undefined) return void w.u8(0)
    const b = utf8(value)
    w.u8(1).u32(b.length).bytes(b)
  }
  field(prevHash)
  w.u64(BigInt(seq)).u64(BigInt(e.time.getTime()))
  field(e.principal)
  field(e.operation)
  field(e.keyArn)
  const context =
    e.encryptionContext === undefined ? undefined : serializeEncryptionContext(e.encryptionContext)
  if (context === undefined) w.u8(0)
  else w.u8(1).u32(context.length).bytes(context)
  field(e.keyMaterialId)
  field(e.outcome)
  field(e.requestId)
  field(e.sourceIp)
  return Buffer.from(sha256(w.finish())).toString('hex')
}
