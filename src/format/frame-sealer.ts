import type { EcdsaSigner, GcmKey } from '../crypto/index.js'
import { SealboxError } from '../errors/index.js'
import { IV_BYTES, TAG_BYTES } from './algorithm-suite.js'
import { BodyAad } from './body-aad.js'

/** Sequence number ‖ IV ‖ ciphertext ‖ tag. */
export const REGULAR_FRAME_OVERHEAD = 4 + IV_BYTES + TAG_BYTES
/** Final marker ‖ sequence number ‖ IV ‖ content length ‖ ciphertext ‖ tag. */
export const FINAL_FRAME_OVERHEAD = 4 + 4 + IV_BYTES + 4 + TAG_BYTES
const SEQUENCE_END = 0xffffffff

/**
 * Encrypts the frames of one message in order (data-format/message-body.md, "Framed Data";
 * client-apis/encrypt.md, "Construct a frame"), writing each serialized frame into a buffer the
 * caller provides. Every written byte also goes to the signer, when the suite signs.
 */
export class FrameSealer {
  private sequenceNumber = 0
  private readonly aad: BodyAad

  constructor(
    private readonly key: GcmKey,
    messageId: Uint8Array,
    readonly frameLength: number,
    private readonly signer: EcdsaSigner | undefined,
  ) {
    this.aad = new BodyAad(messageId)
  }

  /** How many frames were sealed so far. */
  get frames(): number {
    return this.sequenceNumber
  }

  private next(): number {
    if (this.sequenceNumber >= SEQUENCE_END - 1) {
      throw new SealboxError(
        'LimitExceeded',
        'the message would need more than 2^32 - 1 frames; use a larger frame length',
      )
    }
    return ++this.sequenceNumber
  }

  /** Writes a regular frame of exactly `frameLength` plaintext bytes; returns the end offset. */
  sealRegular(plaintext: Uint8Array, out: Uint8Array, offset: number): number {
    if (plaintext.length !== this.frameLength) {
      throw new SealboxError('InternalError', 'a regular frame must hold exactly the frame length')
    }
    const seq = this.next()
    const iv = this.aad.frameIv(seq)
    writeU32(out, offset, seq)
    out.set(iv, offset + 4)
    const end = this.key.sealInto(
      iv,
      this.aad.aad('frame', seq, plaintext.length),
      plaintext,
      out,
      offset + 4 + IV_BYTES,
    )
    this.signer?.update(out.subarray(offset, end))
    return end
  }

  /** Writes the final frame (0 to `frameLength` plaintext bytes); returns the end offset. */
  sealFinal(plaintext: Uint8Array, out: Uint8Array, offset: number): number {
    if (plaintext.length > this.frameLength) {
      throw new SealboxError(
        'InternalError',
        'the final frame cannot hold more than the frame length',
      )
    }
    const seq = this.next()
    const iv = this.aad.frameIv(seq)
    writeU32(out, offset, SEQUENCE_END)
    writeU32(out, offset + 4, seq)
    out.set(iv, offset + 8)
    writeU32(out, offset + 8 + IV_BYTES, plaintext.length)
    const end = this.key.sealInto(
      iv,
      this.aad.aad('final', seq, plaintext.length),
      plaintext,
      out,
      offset + 12 + IV_BYTES,
    )
    this.signer?.update(out.subarray(offset, end))
    return end
  }
}

/**
 * Cuts a plaintext stream into frames, holding back the last `frameLength` bytes or fewer so
 * that the final frame is full when the plaintext ends on a frame boundary (the spec's SHOULD)
 * and empty only for an empty plaintext. Full frames inside a pushed chunk are passed on without
 * copying; only a partial frame is copied into the carry buffer.
 */
export class FrameChunker {
  private readonly carry: Uint8Array
  private carryLength = 0

  constructor(readonly frameLength: number) {
    this.carry = new Uint8Array(frameLength)
  }

  /** Calls `onRegular` (synchronously) for every frame known to be regular; the view is valid only during the call. */
  push(chunk: Uint8Array, onRegular: (plaintext: Uint8Array) => void): void {
    const F = this.frameLength
    let pos = 0
    if (chunk.length === 0) return
    if (this.carryLength === F) {
      onRegular(this.carry)
      this.carryLength = 0
    }
    if (this.carryLength > 0) {
      const n = Math.min(F - this.carryLength, chunk.length)
      this.carry.set(chunk.subarray(0, n), this.carryLength)
      this.carryLength += n
      pos = n
      if (pos === chunk.length) return
      onRegular(this.carry)
      this.carryLength = 0
    }
    while (chunk.length - pos > F) {
      onRegular(chunk.subarray(pos, pos + F))
      pos += F
    }
    this.carry.set(chunk.subarray(pos), 0)
    this.carryLength = chunk.length - pos
  }

  /** The final frame's plaintext (a view into the carry buffer). */
  finish(): Uint8Array {
    return this.carry.subarray(0, this.carryLength)
  }

  /** Zeroes the carried plaintext. */
  clear(): void {
    this.carry.fill(0)
    this.carryLength = 0
  }
}

function writeU32(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value >>> 24
  out[offset + 1] = (value >>> 16) & 0xff
  out[offset + 2] = (value >>> 8) & 0xff
  out[offset + 3] = value & 0xff
}
