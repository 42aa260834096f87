import { concatBytes, zero } from '../bytes/index.js'
import { SealboxError } from '../errors/index.js'

/**
 * Concatenates a stream into one buffer; more than `limit` bytes is LimitExceeded (with `hint`).
 * It takes the chunks it is given (fresh ones: decrypted frames, stream reads, never a buffer the
 * source reuses): each is zeroed once copied into the result, and every one, the source's own
 * failures included (a decryption failing in a later frame), when it fails. A single chunk is
 * the result itself.
 */
export async function collect(
  source: AsyncIterable<Uint8Array>,
  limit: number,
  what: string,
  hint?: string,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for await (const chunk of source) {
      chunks.push(chunk)
      total += chunk.length
      if (total > limit) {
        throw new SealboxError(
          'LimitExceeded',
          `${what} is larger than ${limit} bytes`,
          hint === undefined ? {} : { hint },
        )
      }
    }
  } catch (e) {
    for (const c of chunks) zero(c)
    throw e
  }
  if (chunks.length === 1) return chunks[0]!
  const out = concatBytes(...chunks)
  for (const c of chunks) zero(c)
  return out
}
