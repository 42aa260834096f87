import { AtomicFile, type AtomicFileOptions } from './atomic-file.js'

/** Writes a stream of chunks to `path` atomically; on any failure of the stream nothing is left. */
export async function writeAtomically(
  path: string,
  chunks: AsyncIterable<Uint8Array>,
  options: AtomicFileOptions & { onStart?: (output: AtomicFile) => void } = {},
): Promise<number> {
  const output = await AtomicFile.create(path, options)
  options.onStart?.(output)
  let bytes = 0
  try {
    for await (const chunk of chunks) {
      bytes += chunk.length
      await output.write(chunk)
    }
    await output.commit()
    return bytes
  } catch (e) {
    await output.abort()
    throw e
  }
}
