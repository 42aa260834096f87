/** Big-endian writer that grows as needed; `finish()` returns exactly the bytes written. */
export class ByteWriter {
  private buf: Buffer
  private pos = 0

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize)
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n))
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }

  u8(v: number): this {
    this.reserve(1)
    this.buf.writeUInt8(v, this.pos)
    this.pos += 1
    return this
  }

  u16(v: number): this {
    this.reserve(2)
    this.buf.writeUInt16BE(v, this.pos)
    this.pos += 2
    return this
  }

  u32(v: number): this {
    this.reserve(4)
    this.buf.writeUInt32BE(v, this.pos)
    this.pos += 4
    return this
  }

  u64(v: bigint): this {
    this.reserve(8)
    this.buf.writeBigUInt64BE(v, this.pos)
    this.pos += 8
    return this
  }

  bytes(b: Uint8Array): this {
    this.reserve(b.length)
    this.buf.set(b, this.pos)
    this.pos += b.length
    return this
  }

  /** A u16 length prefix, then the bytes. */
  bytes16(b: Uint8Array): this {
    if (b.length > 0xffff) throw new RangeError(`field of ${b.length} bytes exceeds a u16 length`)
    return this.u16(b.length).bytes(b)
  }

  finish(): Uint8Array {
    return new Uint8Array(this.buf.subarray(0, this.pos))
  }
}
