import type { EcdsaVerifier, GcmKey } from '../crypto/index.js'
import { SealboxError } from '../errors/index.js'
import { IV_BYTES, TAG_BYTES } from './algorithm-suite.js'
import { BodyAad } from './body-aad.js'
import type { DecodeLimits } from './decode-limits.js'
import { CONTENT_NON_FRAMED, type MessageHeader } from './message-header.js'

const SEQUENCE_END = 0xffffffff
const FINAL_PREFIX = 4 + 4 + IV_BYTES + 4
const NON_FRAMED_PREFIX = IV_BYTES + 8

type State = 'body' | 'footer' | 'done' | 'failed'

/**
 * Decrypts a message body (and checks the footer) from bytes pushed in chunks of any size.
 * A frame's plaintext is returned only after its tag verifies. The final frame's plaintext is
 * held back until the input ends with nothing after the message and, for signed suites, the
 * footer signature verifies; so every byte of a signed message is released only once its
 * signature is known good except the regular frames, each covered by its own tag.
 * Full records inside a pushed chunk are decrypted in place; only a record cut by a chunk
 * boundary is copied into a carry buffer. Pushed chunks are not retained.
 */
export class BodyDecoder {
  private state: State = 'body'
  private failure: unknown
  private carry: Buffer
  private carryLength = 0
  private sequenceNumber = 0
  private held: Buffer | undefined
  private readonly aad: BodyAad
  private readonly frameLength: number
  private readonly nonFramed: boolean

  constructor(
    header: MessageHeader,
    private readonly key: GcmKey,
    private readonly verifier: EcdsaVerifier | undefined,
    private readonly limits: DecodeLimits,
  ) {
    this.aad = new BodyAad(header.messageId)
    this.frameLength = header.frameLength
    this.nonFramed = header.contentType === CONTENT_NON_FRAMED
    this.carry = Buffer.allocUnsafe(
      this.nonFramed ? 4096 : this.frameLength + FINAL_PREFIX + TAG_BYTES,
    )
  }

  /** Frames decrypted so far. */
  get frames(): number {
    return this.sequenceNumber
  }

  /** True once the final frame (and footer) were read. */
  get complete(): boolean {
    return this.state === 'done'
  }

  /** Decrypts every record the bytes complete; returns verified plaintext in order. */
  push(chunk: Uint8Array): Buffer[] {
    this.guard()
    const out: Buffer[] = []
    try {
      let pos = 0
      while (this.carryLength > 0 && pos < chunk.length) {
        let need = this.needed(this.carry, 0, this.carryLength)
        const n = Math.min(need - this.carryLength, chunk.length - pos)
        this.reserveCarry(this.carryLength + n)
        this.carry.set(chunk.subarray(pos, pos + n), this.carryLength)
        this.carryLength += n
        pos += n
        need = this.needed(this.carry, 0, this.carryLength)
        if (need <= this.carryLength) {
          this.record(this.carry, 0, need, out)
          this.carryLength = 0
        }
      }
      while (pos < chunk.length) {
        if (this.state === 'done') this.trailing()
        const avail = chunk.length - pos
        const need = this.needed(chunk, pos, avail)
        if (need > avail) {
          this.reserveCarry(Math.max(avail, 64))
          this.carry.set(chunk.subarray(pos), 0)
          this.carryLength = avail
          break
        }
        this.record(chunk, pos, need, out)
        pos += need
      }
      return out
    } catch (e) {
      this.fail(e, out)
      throw e
    }
  }

  /** The input has ended: fails unless the message is complete; returns the held-back plaintext. */
  end(): Buffer[] {
    this.guard()
    if (this.state !== 'done') {
      const where =
        this.state === 'footer'
          ? 'before its signature footer'
          : `after ${this.sequenceNumber} frame${this.sequenceNumber === 1 ? '' : 's'}, before the final frame`
      const error = new SealboxError('Truncated', `the message is truncated: it ends ${where}`)
      this.fail(error, [])
      throw error
    }
    const held = this.held
    this.held = undefined
    this.state = 'failed'
    this.failure = new SealboxError('InternalError', 'the message was already read to its end')
    return held === undefined ? [] : [held]
  }

  /** Zeroes held plaintext; for callers that abandon the message. */
  abandon(): void {
    this.fail(new SealboxError('InternalError', 'the message was abandoned'), [])
  }

  private guard(): void {
    if (this.state === 'failed') throw this.failure
  }

  private fail(error: unknown, released: Buffer[]): void {
    this.state = 'failed'
    this.failure = error
    this.held?.fill(0)
    this.held = undefined
    for (const b of released) b.fill(0)
  }

  private trailing(): never {
    throw new SealboxError('TrailingData', 'there are bytes after the end of the message', {
      hint: 'the input holds more than one message, or was appended to',
    })
  }

  private reserveCarry(n: number): void {
    if (n <= this.carry.length) return
    const next = Buffer.allocUnsafe(Math.max(n, this.carry.length * 2))
    this.carry.copy(next, 0, 0, this.carryLength)
    this.carry = next
  }

  /** Bytes the next record needs: its full length when `avail` shows it, else the bytes needed to know. */
  private needed(b: Uint8Array, pos: number, avail: number): number {
    switch (this.state) {
      case 'done':
        return this.trailing()
      case 'footer': {
        if (avail < 2) return 2
        return 2 + ((b[pos]! << 8) | b[pos + 1]!)
      }
      default:
        break
    }
    if (this.nonFramed) {
      if (avail < NON_FRAMED_PREFIX) return NON_FRAMED_PREFIX
      const high = readU32(b, pos + IV_BYTES)
      const length = high * 2 ** 32 + readU32(b, pos + IV_BYTES + 4)
      if (length > this.limits.maxFrameLength) {
        throw new SealboxError(
          'LimitExceeded',
          `the non-framed message body of ${length} bytes is larger than the limit of ${this.limits.maxFrameLength}`,
          { hint: 'raise limits.maxFrameLength if this message is trusted' },
        )
      }
      return NON_FRAMED_PREFIX + length + TAG_BYTES
    }
    if (avail < 4) return 4
    if (readU32(b, pos) !== SEQUENCE_END) return 4 + IV_BYTES + this.frameLength + TAG_BYTES
    if (avail < FINAL_PREFIX) return FINAL_PREFIX
    const length = readU32(b, pos + 8 + IV_BYTES)
    if (length > this.frameLength) {
      throw new SealboxError(
        'FrameAuthFailed',
        `frame ${this.sequenceNumber + 1} (final) claims ${length} bytes, more than the frame length of ${this.frameLength}`,
      )
    }
    return FINAL_PREFIX + length + TAG_BYTES
  }

  private record(b: Uint8Array, pos: number, length: number, out: Buffer[]): void {
    const bytes = b.subarray(pos, pos + length)
    if (this.state === 'footer') {
      const signature = bytes.subarray(2)
      if (!this.verifier!.finish(signature)) {
        throw new SealboxError(
          'SignatureInvalid',
          'the message signature does not verify: the message was altered or not written by the holder of its signing key',
        )
      }
      this.state = 'done'
      return
    }
    if (this.nonFramed) {
      const iv = bytes.subarray(0, IV_BYTES)
      const contentLength = length - NON_FRAMED_PREFIX - TAG_BYTES
      const ct = bytes.subarray(NON_FRAMED_PREFIX, NON_FRAMED_PREFIX + contentLength)
      const plaintext = this.key.open(
        iv,
        this.aad.aad('single', 1, contentLength),
        ct,
        bytes.subarray(length - TAG_BYTES),
      )
      if (plaintext === undefined)
        throw new SealboxError(
          'FrameAuthFailed',
          'the non-framed message body failed authentication',
        )
      this.sequenceNumber = 1
      this.finishBody(bytes, plaintext)
      return
    }
    const expected = this.sequenceNumber + 1
    const final = readU32(bytes, 0) === SEQUENCE_END
    const at = final ? 4 : 0
    const seq = readU32(bytes, at)
    if (seq !== expected) {
      throw new SealboxError(
        'FrameAuthFailed',
        `frame ${expected} is missing or out of order: found sequence number ${seq}${final ? ' (final)' : ''}`,
      )
    }
    const iv = bytes.subarray(at + 4, at + 4 + IV_BYTES)
    if (!this.aad.frameIv(seq).equals(iv)) {
      throw new SealboxError(
        'FrameAuthFailed',
        `frame ${seq} has an IV other than its sequence number`,
      )
    }
    const start = final ? FINAL_PREFIX : 4 + IV_BYTES
    const contentLength = length - start - TAG_BYTES
    const plaintext = this.key.open(
      iv,
      this.aad.aad(final ? 'final' : 'frame', seq, contentLength),
      bytes.subarray(start, start + contentLength),
      bytes.subarray(length - TAG_BYTES),
    )
    if (plaintext === undefined) {
      throw new SealboxError(
        'FrameAuthFailed',
        `frame ${seq}${final ? ' (final)' : ''} failed authentication: the message was altered`,
      )
    }
    this.sequenceNumber = seq
    if (final) {
      this.finishBody(bytes, plaintext)
    } else {
      this.verifier?.update(bytes)
      out.push(plaintext)
    }
  }

  private finishBody(bytes: Uint8Array, plaintext: Buffer): void {
    this.verifier?.update(bytes)
    this.held = plaintext
    this.state = this.verifier === undefined ? 'done' : 'footer'
  }
}

function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) >>> 0) + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!)
}
