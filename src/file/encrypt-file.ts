import { open } from 'node:fs/promises'
import { openSealSession, type EncryptOptions } from '../envelope/index.js'
import { SealboxError } from '../errors/index.js'
import { FINAL_FRAME_OVERHEAD, FrameChunker, REGULAR_FRAME_OVERHEAD } from '../format/index.js'
import { AtomicFile } from './atomic-file.js'
import { BufferReclaimer } from './buffer-reclaimer.js'
import { ChunkReader, READ_BYTES } from './chunk-reader.js'

export interface FileOptions {
  /** Replace an existing output file. */
  force?: boolean
  /** Called after each chunk with bytes of input read so far and the input size. */
  onProgress?: (done: number, total: number) => void
  /** Receives the output file while it is being written, so a signal handler can remove it. */
  onStart?: (output: AtomicFile) => void
}

/**
 * Encrypts a file into a message file. The loop reads 1 MiB chunks into reused buffers (the next
 * read already under way), seals whole frames straight from the read buffer into one of two
 * reused output buffers, and writes each batch while the next chunk is encrypted. The output
 * appears only when complete (`AtomicFile`).
 */
export async function encryptFile(
  inputPath: string,
  outputPath: string,
  options: EncryptOptions & FileOptions,
): Promise<{ bytesIn: number; bytesOut: number }> {
  const input = await open(inputPath, 'r')
  let output: AtomicFile | undefined
  const reader = new ChunkReader(input)
  try {
    const { size } = await input.stat()
    const session = await openSealSession(options, options.cache === undefined ? undefined : size)
    const { sealer } = session
    const F = sealer.frameLength
    const chunker = new FrameChunker(F)
    try {
      output = await AtomicFile.create(outputPath, { force: options.force ?? false })
      options.onStart?.(output)
      // Frames one push can complete: those in a chunk plus a carried one.
      const batchBytes =
        (Math.floor((READ_BYTES + F) / F) + 1) * (F + REGULAR_FRAME_OVERHEAD) +
        F +
        FINAL_FRAME_OVERHEAD
      const outs = [Buffer.allocUnsafe(batchBytes), Buffer.allocUnsafe(batchBytes)]
      const reclaimer = new BufferReclaimer()
      let turn = 0
      let writing: Promise<void> = output.write(session.headerBytes)
      let bytesOut = session.headerBytes.length
      let used = 0
      let out = outs[turn]!
      const onRegular = (plaintext: Uint8Array): void => {
        used = sealer.sealRegular(plaintext, out, used)
      }
      for (;;) {
        const next = await reader.next()
        if (next.done === true) break
        out = outs[turn]!
        used = 0
        chunker.push(next.value, onRegular)
        options.onProgress?.(reader.bytesRead, size)
        reclaimer.add(next.value.length)
        await writing
        if (used > 0) {
          bytesOut += used
          writing = output.write(out.subarray(0, used))
          turn ^= 1
        }
      }
      await writing
      if (options.cache !== undefined && reader.bytesRead !== size) {
        throw new SealboxError('IoError', `${inputPath} changed size while it was read`)
      }
      out = outs[turn]!
      const end = sealer.sealFinal(chunker.finish(), out, 0)
      const footer = session.footer()
      await output.write(out.subarray(0, end))
      if (footer.length > 0) await output.write(footer)
      bytesOut += end + footer.length
      await output.commit()
      output = undefined
      return { bytesIn: reader.bytesRead, bytesOut }
    } finally {
      chunker.clear()
      session.close()
    }
  } finally {
    await output?.abort()
    await reader.return()
    await input.close()
  }
}
