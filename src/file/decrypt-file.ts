import { open } from 'node:fs/promises'
import { openMessage, type DecryptOptions, type MessageHeaderInfo } from '../envelope/index.js'
import type { BodyDecoder } from '../format/index.js'
import { AtomicFile } from './atomic-file.js'
import { BufferReclaimer } from './buffer-reclaimer.js'
import { ChunkReader } from './chunk-reader.js'
import type { FileOptions } from './encrypt-file.js'

/**
 * Decrypts a message file into a plaintext file that appears only once the whole message has
 * verified (every frame tag, the end of the message, the signature): on any failure no
 * plaintext is left behind. Reads 1 MiB chunks into reused buffers and writes each batch of
 * verified frames while the next chunk is decrypted.
 */
export async function decryptFile(
  inputPath: string,
  outputPath: string,
  options: DecryptOptions & FileOptions,
): Promise<{ bytesIn: number; bytesOut: number; header: MessageHeaderInfo }> {
  const input = await open(inputPath, 'r')
  const reader = new ChunkReader(input)
  let output: AtomicFile | undefined
  let decoder: BodyDecoder | undefined
  try {
    const { size } = await input.stat()
    const opened = await openMessage(reader, options)
    decoder = opened.decoder
    output = await AtomicFile.create(outputPath, { force: options.force ?? false })
    options.onStart?.(output)
    const reclaimer = new BufferReclaimer()
    let bytesOut = 0
    let writing: Promise<void> = Promise.resolve()
    const emit = async (plaintext: Buffer[]): Promise<void> => {
      await writing
      if (plaintext.length === 0) return
      for (const b of plaintext) bytesOut += b.length
      writing = output!.write(plaintext)
    }
    await emit(decoder.push(opened.parsed.rest))
    for (;;) {
      const next = await reader.next()
      if (next.done === true) break
      const plaintext = decoder.push(next.value)
      options.onProgress?.(reader.bytesRead, size)
      reclaimer.add(next.value.length)
      await emit(plaintext)
    }
    await emit(decoder.end())
    decoder = undefined
    await writing
    await output.commit()
    output = undefined
    return { bytesIn: reader.bytesRead, bytesOut, header: opened.info }
  } finally {
    decoder?.abandon()
    await output?.abort()
    await reader.return()
    await input.close()
  }
}
