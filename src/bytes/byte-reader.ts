import { SealboxError, type ErrorCode } from '../errors/index.js'

/**
 * Bounds-checked big-endian reader over a byte array. Running past the end throws `Truncated`
 * (or the code given), never a RangeError, so parsers report what was incomplete.
 */
export class ByteReader {
  private pos = 0
  constructor(
    readonly bytes: Uint8Array,
    private readonly what = 'input',
    private readonly code: ErrorCode = 'Truncated',
  ) {}

  get offset(): number {
    return this.pos
  }

  get remaining(): number {
    return this.bytes.length - this.pos
  }

  take(n: number, field = 'field'): Uint8Array {
    if (n > this.remaining) {
      throw new SealboxError(
        this.code,
        `${this.what} is truncated: ${field} needs ${n} bytes, ${this.remaining} left`,
      )
    }
    const out = this.bytes.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  u8(field?: string): number {
    return this.take(1, field)[0]!
  }

  u16(field?: string): number {
    const b = this.take(2, field)
    return (b[0]! << 8) | b[1]!
  }

  u32(field?: string): number {
    const b = this.take(4, field)
    return ((b[0]! << 24) >>> 0) + ((b[1]! << 16) | (b[2]! << 8) | b[3]!)
  }

  u64(field?: string): bigint {
    const b = this.take(8, field)
    return Buffer.from(b.buffer, b.byteOffset, 8).readBigUInt64BE(0)
  }

  /** A u16 length followed by that many bytes. */
  bytes16(field?: string): Uint8Array {
    return this.take(this.u16(field), field)
  }
}
