import { utf8 } from '../bytes/index.js'
import { IV_BYTES } from './algorithm-suite.js'

const FRAME = utf8('AWSKMSEncryptionClient Frame')
const FINAL_FRAME = utf8('AWSKMSEncryptionClient Final Frame')
const SINGLE_BLOCK = utf8('AWSKMSEncryptionClient Single Block')

export type BodyKind = 'frame' | 'final' | 'single'

/**
 * The body AAD (data-format/message-body-aad.md): message id ‖ content string ‖ u32 sequence
 * number ‖ u64 plaintext length. The full message id is used (32 bytes in version 2, although
 * the spec's table says 16). Buffers are built once per message and patched in place per frame.
 */
export class BodyAad {
  private readonly buffers: Record<BodyKind, Buffer>
  private readonly iv = Buffer.alloc(IV_BYTES)

  constructor(messageId: Uint8Array) {
    const make = (label: Uint8Array): Buffer => {
      const b = Buffer.alloc(messageId.length + label.length + 12)
      b.set(messageId, 0)
      b.set(label, messageId.length)
      return b
    }
    this.buffers = { frame: make(FRAME), final: make(FINAL_FRAME), single: make(SINGLE_BLOCK) }
  }

  /** The AAD for one frame; valid until the next call. */
  aad(kind: BodyKind, sequenceNumber: number, plaintextLength: number): Buffer {
    const b = this.buffers[kind]
    const at = b.length - 12
    b.writeUInt32BE(sequenceNumber, at)
    b.writeUInt32BE(Math.floor(plaintextLength / 2 ** 32), at + 4)
    b.writeUInt32BE(plaintextLength >>> 0, at + 8)
    return b
  }

  /** The frame IV: the sequence number, big-endian, left-padded to 12 bytes. Valid until the next call. */
  frameIv(sequenceNumber: number): Buffer {
    this.iv.writeUInt32BE(sequenceNumber, IV_BYTES - 4)
    return this.iv
  }
}
