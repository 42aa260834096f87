import type { FileHandle } from 'node:fs/promises'

/** Read size: large reads cut per-call costs; two buffers let the next read run during the work. */
export const READ_BYTES = 1024 * 1024

/**
 * Reads a file in large chunks into two reused buffers, the next read already under way while
 * the caller works on the current chunk. A chunk is valid only until the following `next()`.
 */
export class ChunkReader implements AsyncIterator<Uint8Array> {
  private readonly buffers: [Buffer, Buffer]
  private turn = 0
  private ahead: Promise<number> | undefined
  private ended = false
  bytesRead = 0

  constructor(
    private readonly handle: FileHandle,
    readBytes = READ_BYTES,
  ) {
    this.buffers = [Buffer.allocUnsafe(readBytes), Buffer.allocUnsafe(readBytes)]
  }

  private start(): Promise<number> {
    const read = this.fill(this.buffers[this.turn]!)
    // Awaited by the next `next()`; the no-op handler keeps an early failure from counting as unhandled.
    read.catch(() => undefined)
    return read
  }

  /** Fills `buffer` unless the file ends first (short reads from pipes are continued). */
  private async fill(buffer: Buffer): Promise<number> {
    let n = 0
    while (n < buffer.length) {
      const { bytesRead } = await this.handle.read(buffer, n, buffer.length - n, null)
      if (bytesRead === 0) break
      n += bytesRead
    }
    return n
  }

  async next(): Promise<IteratorResult<Uint8Array>> {
    if (this.ended) return { done: true, value: undefined }
    const n = await (this.ahead ?? this.start())
    const buffer = this.buffers[this.turn]!
    this.turn ^= 1
    if (n === 0) {
      this.ended = true
      this.ahead = undefined
      return { done: true, value: undefined }
    }
    this.bytesRead += n
    // A short read means the end; otherwise read ahead into the other buffer.
    this.ahead = n < buffer.length ? Promise.resolve(0) : this.start()
    return { done: false, value: buffer.subarray(0, n) }
  }

  async return(): Promise<IteratorResult<Uint8Array>> {
    this.ended = true
    await this.ahead?.catch(() => 0)
    this.ahead = undefined
    return { done: true, value: undefined }
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return this
  }
}
