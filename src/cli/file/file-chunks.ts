import { open } from 'node:fs/promises'
import { ChunkReader } from '../../file/index.js'

/** The chunks of a file, read in large reused buffers (each valid until the next is asked for). */
export async function* fileChunks(path: string): AsyncGenerator<Uint8Array> {
  const handle = await open(path, 'r')
  const reader = new ChunkReader(handle)
  try {
    for (;;) {
      const next = await reader.next()
      if (next.done === true) return
      yield next.value
    }
  } finally {
    await reader.return()
    await handle.close()
  }
}
