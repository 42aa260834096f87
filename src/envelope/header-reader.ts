import { SealboxError } from '../errors/index.js'
import { parseHeader, type DecodeLimits, type MessageHeader } from '../format/index.js'

export interface ReadHeaderResult {
  header: MessageHeader
  /** The serialized header body (what the header tag covers). */
  body: Uint8Array
  /** The whole serialized header (body and authentication). */
  bytes: Uint8Array
  /** Input bytes that followed the header in the last chunk read. */
  rest: Uint8Array
}

/**
 * Reads chunks from `input` until a whole header is parsed. Parsing is retried only when the
 * bytes it said it needs have arrived, so tiny chunks cost no repeated work; limits apply
 * while reading. Ends with `Truncated` (or `NotAMessage` for an empty input) if the input stops early.
 */
export async function readMessageHeader(
  input: AsyncIterator<Uint8Array>,
  limits: DecodeLimits,
): Promise<ReadHeaderResult> {
  let buffer = Buffer.allocUnsafe(4096)
  let length = 0
  let needBytes = 1
  for (;;) {
    while (length < needBytes) {
      const next = await input.next()
      if (next.done === true) {
        if (length === 0)
          throw new SealboxError('NotAMessage', 'the input is empty, not an encrypted message')
        throw new SealboxError(
          'Truncated',
          `the message is truncated: it ends inside its header, after ${length} bytes`,
        )
      }
      const chunk = next.value
      if (length + chunk.length > buffer.length) {
        const grown = Buffer.allocUnsafe(Math.max(buffer.length * 2, length + chunk.length))
        buffer.copy(grown, 0, 0, length)
        buffer = grown
      }
      buffer.set(chunk, length)
      length += chunk.length
    }
    const parsed = parseHeader(buffer.subarray(0, length), limits)
    if (parsed.done) {
      return {
        header: parsed.header,
        body: parsed.body,
        bytes: new Uint8Array(buffer.subarray(0, parsed.length)),
        rest: new Uint8Array(buffer.subarray(parsed.length, length)),
      }
    }
    needBytes = parsed.needBytes
  }
}
