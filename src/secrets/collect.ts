import { concatBytes, zero } from '../bytes/index.js'
import { SealboxError } from '../errors/index.js'

/** Concatenates a stream into a fresh buffer, refusing more than `limit` bytes. */
export async function collect(
  source: AsyncIterable<Uint8Array>,
  limit: number,
  what: string,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of source) {
    total += chunk.length
    if (total > limit) {
      for (const c of chunks) zero(c)
      throw new SealboxError('LimitExceeded', `${what} is larger than ${limit} bytes`)
    }
    // copied: a producer may reuse the buffer behind a chunk once the next one is asked for
    chunks.push(chunk.slice())
  }
  if (chunks.length === 1) return chunks[0]!
  const out = concatBytes(...chunks)
  for (const c of chunks) zero(c)
  return out
}
