import { concatBytes, zero } from '../bytes/index.js'
import { SealboxError } from '../errors/index.js'

/** Concatenates a stream into a fresh buffer; more than `limit` bytes is LimitExceeded (with `hint`). */
export async function collect(
  source: AsyncIterable<Uint8Array>,
  limit: number,
  what: string,
  hint?: string,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of source) {
    total += chunk.length
    if (total > limit) {
      for (const c of chunks) zero(c)
      throw new SealboxError(
        'LimitExceeded',
        `${what} is larger than ${limit} bytes`,
        hint === undefined ? {} : { hint },
      )
    }
    // copied: a producer may reuse the buffer behind a chunk once the next one is asked for
    chunks.push(chunk.slice())
  }
  if (chunks.length === 1) return chunks[0]!
  const out = concatBytes(...chunks)
  for (const c of chunks) zero(c)
  return out
}
