import { singleChunk, zero } from '../bytes/index.js'
import { SealboxError } from '../errors/index.js'
import { beginOpen, parseHeader, suiteHex, type BodyDecoder } from '../format/index.js'
import { readMessageHeader, type ReadHeaderResult } from './header-reader.js'
import { headerInfo, type MessageHeaderInfo } from './message-header-info.js'
import { checkExpectedContext, decodeLimits, decryptDataKey } from './materials.js'
import type { DecryptOptions } from './options.js'

/**
 * Parses the header (limits enforced while reading), checks the expected context, unwraps the
 * data key, verifies commitment and header tag. Returns the body decoder, ready for the bytes
 * after the header.
 */
export async function openMessage(
  input: AsyncIterator<Uint8Array>,
  options: DecryptOptions,
): Promise<{ parsed: ReadHeaderResult; decoder: BodyDecoder; info: MessageHeaderInfo }> {
  const limits = decodeLimits(options)
  const parsed = await readMessageHeader(input, limits)
  return { parsed, ...openParsed(parsed, limits, await unwrap(parsed, options)) }
}

async function unwrap(parsed: ReadHeaderResult, options: DecryptOptions): Promise<Uint8Array> {
  const { header } = parsed
  if (options.requireUnsigned === true && header.suite.signature !== undefined) {
    throw new SealboxError(
      'UnsupportedFormat',
      `the message is signed (suite ${suiteHex(header.suite.id)}) and unsigned messages were required`,
    )
  }
  checkExpectedContext(header.encryptionContext, options.expectedContext)
  return decryptDataKey(header, options)
}

function openParsed(
  parsed: ReadHeaderResult,
  limits: ReturnType<typeof decodeLimits>,
  dataKey: Uint8Array,
): { decoder: BodyDecoder; info: MessageHeaderInfo } {
  try {
    const decoder = beginOpen(parsed.header, parsed.body, parsed.bytes, dataKey, limits)
    return { decoder, info: headerInfo(parsed.header, parsed.bytes.length) }
  } finally {
    zero(dataKey)
  }
}

/**
 * Decrypts one message from a byte stream. Yields plaintext only after it is authenticated:
 * each regular frame after its tag verifies; the final frame only once the input has ended with
 * nothing after the message and, for signed messages, the signature verified. A consumer that
 * sees an error must discard what it already received (the file commands do this by writing to
 * a temporary file that is renamed only on success).
 */
export async function* decryptStream(
  source: AsyncIterable<Uint8Array>,
  options: DecryptOptions,
): AsyncGenerator<Uint8Array> {
  yield* decryptWithHeader(source, options, undefined)
}

export async function* decryptWithHeader(
  source: AsyncIterable<Uint8Array>,
  options: DecryptOptions,
  onHeader: ((info: MessageHeaderInfo) => void) | undefined,
): AsyncGenerator<Uint8Array> {
  const input = source[Symbol.asyncIterator]()
  let finished = false
  let decoder: BodyDecoder | undefined
  try {
    const opened = await openMessage(input, options)
    decoder = opened.decoder
    onHeader?.(opened.info)
    for (const b of decoder.push(opened.parsed.rest)) yield b
    for (;;) {
      const next = await input.next()
      if (next.done === true) {
        finished = true
        break
      }
      for (const b of decoder.push(next.value)) yield b
    }
    for (const b of decoder.end()) yield b
    decoder = undefined
  } finally {
    decoder?.abandon()
    if (!finished) await input.return?.()
  }
}

/** Decrypts a whole message held in memory; returns only after everything verified. */
export async function decryptBytes(
  message: Uint8Array,
  options: DecryptOptions,
): Promise<{ plaintext: Uint8Array; header: MessageHeaderInfo }> {
  let info: MessageHeaderInfo | undefined
  const parts: Uint8Array[] = []
  try {
    for await (const part of decryptWithHeader(singleChunk(message), options, (i) => (info = i)))
      parts.push(part)
  } catch (e) {
    for (const p of parts) zero(p)
    throw e
  }
  const out = Buffer.concat(parts)
  for (const p of parts) zero(p)
  return { plaintext: new Uint8Array(out.buffer, out.byteOffset, out.length), header: info! }
}

/**
 * The header of a message without decrypting it: NOT authenticated (anyone can write any header),
 * for display only. Generous limits, legacy layouts accepted.
 */
export async function readHeader(
  source: AsyncIterable<Uint8Array> | Uint8Array,
): Promise<MessageHeaderInfo> {
  const limits = {
    maxEncryptedDataKeys: 0xffff,
    maxHeaderBytes: 4 * 1024 * 1024,
    maxFrameLength: 0xffffffff,
    allowLegacy: true,
  }
  if (source instanceof Uint8Array) {
    const parsed = parseHeader(source, limits)
    if (!parsed.done) {
      throw new SealboxError(
        source.length === 0 ? 'NotAMessage' : 'Truncated',
        source.length === 0
          ? 'the input is empty, not an encrypted message'
          : 'the message is truncated inside its header',
      )
    }
    return headerInfo(parsed.header, parsed.length)
  }
  const input = source[Symbol.asyncIterator]()
  try {
    const parsed = await readMessageHeader(input, limits)
    return headerInfo(parsed.header, parsed.bytes.length)
  } finally {
    await input.return?.()
  }
}

